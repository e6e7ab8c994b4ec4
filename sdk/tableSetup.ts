import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from "@aws-sdk/client-dynamodb";

const ready = new WeakMap<DynamoDBClient, Map<string, Promise<void>>>();

/**
 * Creates the idempotency table (partition key `id`, TTL on `expiresAt`) when it is missing.
 * A local convenience only: in AWS the table comes from the `IdempotencyTable` CDK construct and
 * the function never needs CreateTable permission. Runs once per process and table.
 */
export function ensureIdempotencyTable(client: DynamoDBClient, tableName: string): Promise<void> {
  let tables = ready.get(client);
  if (!tables) {
    tables = new Map();
    ready.set(client, tables);
  }
  let pending = tables.get(tableName);
  if (!pending) {
    pending = createIfMissing(client, tableName);
    tables.set(tableName, pending);
    // A failed attempt is forgotten so the next invocation tries again.
    pending.catch(() => tables.delete(tableName));
  }
  return pending;
}

async function createIfMissing(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceNotFoundException") throw error;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (error) {
    // Another process created it first.
    if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60 }, { TableName: tableName });
  await client
    .send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      }),
    )
    .catch((error: { name?: string; message?: string }) => {
      // Already enabled by a concurrent creator.
      if (!/already enabled|TimeToLive is already/i.test(error.message ?? "")) throw error;
    });
}
