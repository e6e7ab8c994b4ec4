import { randomUUID } from "node:crypto";
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";

/** A DynamoDB client for the DynamoDB Local the harness started (AWS_ENDPOINT_URL_DYNAMODB). */
export function localClient(): DynamoDBClient {
  return new DynamoDBClient({ maxAttempts: 1 });
}

/** A fresh table with a string partition key, unique to the caller. */
export async function createTable(client: DynamoDBClient, prefix: string, partitionKey = "id"): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: "S" }],
      KeySchema: [{ AttributeName: partitionKey, KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  return name;
}

export async function deleteTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: name })).catch(() => {});
}

export async function scanAll(client: DynamoDBClient, name: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, never> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: name, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []).map((i) => unmarshall(i)));
    start = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (start);
  return items;
}

export async function getItem(client: DynamoDBClient, name: string, id: string) {
  const out = await client.send(new GetItemCommand({ TableName: name, Key: { id: { S: id } }, ConsistentRead: true }));
  return out.Item ? unmarshall(out.Item) : undefined;
}
