import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { LOCAL_TABLES } from "./stackResources.ts";

/** What the demo consumer counts outside any transaction. */
export type DemoCounter = "receipts" | "handlerRuns";

/**
 * Adds one to a counter with a single `UpdateItem ADD`: an effect that is not part of the SDK's transaction, like
 * an email or a call to a payment API. If it ran twice for one event, the count would show it.
 */
export async function bumpCounter(ddb: DynamoDBClient, counter: DemoCounter): Promise<void> {
  await ddb.send(
    new UpdateItemCommand({
      TableName: LOCAL_TABLES.counters,
      Key: { id: { S: counter } },
      UpdateExpression: "ADD #count :one",
      ExpressionAttributeNames: { "#count": "count" },
      ExpressionAttributeValues: { ":one": { N: "1" } },
    }),
  );
}

/** A counter's value (0 before its first bump). */
export async function readCounter(ddb: DynamoDBClient, counter: DemoCounter): Promise<number> {
  const out = await ddb.send(
    new GetItemCommand({ TableName: LOCAL_TABLES.counters, Key: { id: { S: counter } }, ConsistentRead: true }),
  );
  return Number(out.Item?.count?.N ?? 0);
}
