import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";
import { EVENTS_PARTITION_KEY, EVENTS_TTL_ATTRIBUTE, SWEEP_INDEX_NAME } from "./eventRecord.ts";

/**
 * The events table layout, shared by the tests, the local stack and (as the reference) the CDK app:
 * partition key `pk` (S), on-demand, and the sparse GSI `SWEEP_INDEX_NAME` on `sweepShard` (S) + `receivedAtMs` (N).
 *
 * The index projects keys only. Events stuck in RECEIVED are rare (the intake died or SQS failed), so the sweeper
 * affords one strongly consistent GetItem per event; that read, unlike the eventually consistent index, tells it
 * whether the event is still RECEIVED and gives it the `destinationIds` fixed at acceptance. Projecting more
 * would only make every accepted event's two index writes (on accept, and on leaving RECEIVED) bigger.
 */
export function eventsTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: EVENTS_PARTITION_KEY, AttributeType: "S" },
      { AttributeName: "sweepShard", AttributeType: "S" },
      { AttributeName: "receivedAtMs", AttributeType: "N" },
    ],
    KeySchema: [{ AttributeName: EVENTS_PARTITION_KEY, KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
    GlobalSecondaryIndexes: [
      {
        IndexName: SWEEP_INDEX_NAME,
        KeySchema: [
          { AttributeName: "sweepShard", KeyType: "HASH" },
          { AttributeName: "receivedAtMs", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "KEYS_ONLY" },
      },
    ],
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
