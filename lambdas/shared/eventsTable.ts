import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import {
  EVENTS_PARTITION_KEY,
  EVENTS_SORT_KEY,
  EVENTS_TTL_ATTRIBUTE,
  LIST_INDEX_NAME,
  PROBLEM_INDEX_NAME,
} from "./eventRecord.ts";

/** The sharded, keys-only indexes: name → partition key attribute; every one sorts on `receivedAtMs`. */
export const EVENTS_INDEXES = {
  [LIST_INDEX_NAME]: "listShard",
  [PROBLEM_INDEX_NAME]: "problemShard",
} as const;

/**
 * The events table layout, shared by the tests, the local stack and (as the reference) the CDK app: partition key
 * `pk` (S) and sort key `sk` (S), one item collection per event (`eventRecord`), on-demand, and two global
 * secondary indexes, each partitioned on a sharded attribute (`indexShards`) and sorted on `receivedAtMs` (N):
 *
 * - `LIST_INDEX_NAME` on `listShard`, set at acceptance and never changed: every event by time, for operators, and
 *   what the sweeper walks from its watermark (`sweepWatermark`);
 * - `PROBLEM_INDEX_NAME` on `problemShard`, present only while FAILED or DEAD.
 *
 * Only state items carry those attributes. Every index projects keys only: a GSI is written only when an update
 * touches an attribute it projects, so keys-only indexes whose keys a status change does not touch cost nothing on
 * that change. Readers that need more read the state items (GetItem, BatchGetItem); the sweeper re-reads a state
 * strongly consistently before it acts, since the index and BatchGetItem are eventually consistent.
 *
 * A third index, sparse on `sweepShard` while RECEIVED, was dropped: its entry and its removal were 2 of an
 * event's 7 write units, for a reader that runs once a minute.
 */
export function eventsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: EVENTS_PARTITION_KEY, AttributeType: "S" },
      { AttributeName: EVENTS_SORT_KEY, AttributeType: "S" },
      ...Object.values(EVENTS_INDEXES).map((name) => ({ AttributeName: name, AttributeType: "S" as const })),
      { AttributeName: "receivedAtMs", AttributeType: "N" },
    ],
    KeySchema: [
      { AttributeName: EVENTS_PARTITION_KEY, KeyType: "HASH" },
      { AttributeName: EVENTS_SORT_KEY, KeyType: "RANGE" },
    ],
    BillingMode: "PAY_PER_REQUEST",
    GlobalSecondaryIndexes: Object.entries(EVENTS_INDEXES).map(([IndexName, partitionKey]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: partitionKey, KeyType: "HASH" },
        { AttributeName: "receivedAtMs", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" },
    })),
  };
}

/**
 * Creates the events table when it is missing and turns TTL on for `expiresAt`. For local use only: in AWS the
 * CDK app owns the table and no Lambda has CreateTable permission.
 */
export async function ensureEventsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
    await client.send(new CreateTableCommand(eventsTableDefinition(tableName))).catch((createError) => {
      // Another process created it first.
      if ((createError as { name?: string }).name !== "ResourceInUseException") throw createError;
    });
  }
  // Polled every second or two: the waiter's default first delay is 20 s, far longer than a local create takes.
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { TableName: tableName });
  const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = ttl.TimeToLiveDescription?.TimeToLiveStatus;
  if (status === "ENABLED" || status === "ENABLING") return;
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: EVENTS_TTL_ATTRIBUTE, Enabled: true },
    }),
  );
}
