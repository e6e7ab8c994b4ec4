import {
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteItem,
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

function expressions(input: Expressions) {
  return {
    ...(input.ConditionExpression === undefined ? {} : { ConditionExpression: input.ConditionExpression }),
    ...(input.ExpressionAttributeNames === undefined
      ? {}
      : { ExpressionAttributeNames: input.ExpressionAttributeNames }),
    ...(input.ExpressionAttributeValues === undefined
      ? {}
      : { ExpressionAttributeValues: marshall(input.ExpressionAttributeValues, marshallOptions) }),
  };
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
    put: (input) =>
      buffer({
        Put: { TableName: input.TableName, Item: marshall(input.Item, marshallOptions), ...expressions(input) },
      }),
    update: (input) =>
      buffer({
        Update: {
          TableName: input.TableName,
          Key: marshall(input.Key, marshallOptions),
          UpdateExpression: input.UpdateExpression,
          ...expressions(input),
        },
      }),
    delete: (input) =>
      buffer({
        Delete: { TableName: input.TableName, Key: marshall(input.Key, marshallOptions), ...expressions(input) },
      }),
    conditionCheck: (input) =>
      buffer({
        ConditionCheck: {
          TableName: input.TableName,
          Key: marshall(input.Key, marshallOptions),
          ...expressions(input),
          ConditionExpression: input.ConditionExpression,
        },
      }),
    async get(input) {
      const { Key, ...rest } = input;
      const out = await client.send(new GetItemCommand({ ...rest, Key: marshall(Key, marshallOptions) }));
      return out.Item ? unmarshall(out.Item) : undefined;
    },
    async query(input) {
      const { ExpressionAttributeValues, ExclusiveStartKey, ...rest } = input;
      const out = await client.send(
        new QueryCommand({
          ...rest,
          ...(ExpressionAttributeValues ? { ExpressionAttributeValues: marshall(ExpressionAttributeValues) } : {}),
          ...(ExclusiveStartKey ? { ExclusiveStartKey: marshall(ExclusiveStartKey) } : {}),
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
