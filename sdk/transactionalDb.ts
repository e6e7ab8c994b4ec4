import {
  type ConditionCheck,
  type Delete,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  type Put,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteItem,
  type Update,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { TooManyWritesError } from "./errors.ts";

/** Plain JavaScript attribute values (marshalled for you, as with the DynamoDB document client). */
export type Item = Record<string, unknown>;

interface Expressions {
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
}
export interface PutInput extends Expressions {
  TableName: string;
  Item: Item;
}
export interface UpdateInput extends Expressions {
  TableName: string;
  Key: Item;
  UpdateExpression: string;
}
export interface DeleteInput extends Expressions {
  TableName: string;
  Key: Item;
}
export interface ConditionCheckInput extends Expressions {
  TableName: string;
  Key: Item;
  ConditionExpression: string;
}
export interface GetInput {
  TableName: string;
  Key: Item;
  ConsistentRead?: boolean;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
}
export type QueryInput = Omit<QueryCommandInput, "ExpressionAttributeValues" | "ExclusiveStartKey"> & {
  ExpressionAttributeValues?: Item;
  ExclusiveStartKey?: Item;
};

/**
 * The handler's DynamoDB access. Writes are buffered and committed in the same TransactWriteItems
 * as the completion record, so they happen exactly when the invocation completes: all or none.
 * Reads go straight to DynamoDB (they do not see the handler's own buffered writes).
 */
export interface TransactionalDb {
  put(input: PutInput): Promise<void>;
  update(input: UpdateInput): Promise<void>;
  delete(input: DeleteInput): Promise<void>;
  conditionCheck(input: ConditionCheckInput): Promise<void>;
  get(input: GetInput): Promise<Item | undefined>;
  query(input: QueryInput): Promise<{ items: Item[]; lastEvaluatedKey?: Item }>;
}

/** TransactWriteItems takes 100 items; one is the completion record. */
export const MAX_BUFFERED_WRITES = 99;

const marshallOptions = { removeUndefinedValues: true, convertClassInstanceToMap: true };

/**
 * The input as DynamoDB takes it (`Out`: the matching low-level shape): `Item`, `Key` and the expression values
 * marshalled, every other field passed as given.
 */
function marshalled<Out>(input: { Item?: Item; Key?: Item; ExpressionAttributeValues?: Item }): Out {
  const { Item, Key, ExpressionAttributeValues, ...rest } = input;
  return {
    ...rest,
    ...(Item === undefined ? {} : { Item: marshall(Item, marshallOptions) }),
    ...(Key === undefined ? {} : { Key: marshall(Key, marshallOptions) }),
    ...(ExpressionAttributeValues === undefined
      ? {}
      : { ExpressionAttributeValues: marshall(ExpressionAttributeValues, marshallOptions) }),
  } as Out;
}

/** A `db` bound to one claim, and the writes it buffered. */
export function createTransactionalDb(client: DynamoDBClient): { db: TransactionalDb; writes: TransactWriteItem[] } {
  const writes: TransactWriteItem[] = [];
  const buffer = async (item: TransactWriteItem) => {
    // Refused at the call, before anything is committed, so the handler sees it where it happens.
    if (writes.length >= MAX_BUFFERED_WRITES) throw new TooManyWritesError(MAX_BUFFERED_WRITES);
    writes.push(item);
  };
  const db: TransactionalDb = {
    put: (input) => buffer({ Put: marshalled<Put>(input) }),
    update: (input) => buffer({ Update: marshalled<Update>(input) }),
    delete: (input) => buffer({ Delete: marshalled<Delete>(input) }),
    conditionCheck: (input) => buffer({ ConditionCheck: marshalled<ConditionCheck>(input) }),
    async get(input) {
      const out = await client.send(new GetItemCommand(marshalled<GetItemCommandInput>(input)));
      return out.Item ? unmarshall(out.Item) : undefined;
    },
    async query(input) {
      const { ExclusiveStartKey, ...rest } = input;
      const out = await client.send(
        new QueryCommand({
          ...marshalled<QueryCommandInput>(rest),
          ...(ExclusiveStartKey ? { ExclusiveStartKey: marshall(ExclusiveStartKey, marshallOptions) } : {}),
        }),
      );
      return {
        items: (out.Items ?? []).map((item) => unmarshall(item)),
        ...(out.LastEvaluatedKey ? { lastEvaluatedKey: unmarshall(out.LastEvaluatedKey) } : {}),
      };
    },
  };
  return { db, writes };
}
