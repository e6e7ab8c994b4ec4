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
import { DbClosedError, InvalidDbInputError, TooManyWritesError } from "./errors.ts";

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

// No `convertClassInstanceToMap`: it turns a Date (any class instance) into an empty map, silently. Without it
// `marshall` refuses such values, as the DynamoDB Document Client does by default, and we say so at the call.
const marshallOptions = { removeUndefinedValues: true };

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

/** Marshals for `operation`, turning the marshaller's refusal into a typed error the handler sees at its call. */
function marshalledFor<Out>(
  operation: string,
  input: { Item?: Item; Key?: Item; ExpressionAttributeValues?: Item },
): Out {
  try {
    return marshalled<Out>(input);
  } catch (error) {
    throw new InvalidDbInputError(operation, error);
  }
}

/**
 * A `db` bound to one claim, the writes it buffered, and `close()`: called when the result is being settled, after
 * which a write throws (it could never be committed) instead of resolving and being dropped.
 */
export function createTransactionalDb(client: DynamoDBClient): {
  db: TransactionalDb;
  writes: TransactWriteItem[];
  close: () => void;
} {
  const writes: TransactWriteItem[] = [];
  let closed = false;
  const buffer = async (operation: string, item: () => TransactWriteItem) => {
    if (closed) throw new DbClosedError(operation);
    // Refused at the call, before anything is committed, so the handler sees it where it happens.
    if (writes.length >= MAX_BUFFERED_WRITES) throw new TooManyWritesError(MAX_BUFFERED_WRITES);
    writes.push(item());
  };
  const db: TransactionalDb = {
    put: (input) => buffer("put", () => ({ Put: marshalledFor<Put>("put", input) })),
    update: (input) => buffer("update", () => ({ Update: marshalledFor<Update>("update", input) })),
    delete: (input) => buffer("delete", () => ({ Delete: marshalledFor<Delete>("delete", input) })),
    conditionCheck: (input) =>
      buffer("conditionCheck", () => ({ ConditionCheck: marshalledFor<ConditionCheck>("conditionCheck", input) })),
    async get(input) {
      const out = await client.send(new GetItemCommand(marshalledFor<GetItemCommandInput>("get", input)));
      return out.Item ? unmarshall(out.Item) : undefined;
    },
    async query(input) {
      const { ExclusiveStartKey, ...rest } = input;
      const out = await client.send(
        new QueryCommand({
          ...marshalledFor<QueryCommandInput>("query", rest),
          ...(ExclusiveStartKey
            ? { ExclusiveStartKey: marshalledFor<{ Key: never }>("query", { Key: ExclusiveStartKey }).Key }
            : {}),
        }),
      );
      return {
        items: (out.Items ?? []).map((item) => unmarshall(item)),
        ...(out.LastEvaluatedKey ? { lastEvaluatedKey: unmarshall(out.LastEvaluatedKey) } : {}),
      };
    },
  };
  return {
    db,
    writes,
    close: () => {
      closed = true;
    },
  };
}
