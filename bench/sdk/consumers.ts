import { randomUUID } from "node:crypto";
import { IdempotencyConfig } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { makeHandlerIdempotent } from "@aws-lambda-powertools/idempotency/middleware";
import { type DynamoDBClient, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import middy from "@middy/core";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { idempotency, makeIdempotent } from "../../sdk/index.ts";
import { HANDLER_RESPONSE, KEY_HEADER } from "./consumerEvent.ts";

/** A consumer Lambda handler as the benchmark invokes it, in-process. */
export type ConsumerHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<typeof HANDLER_RESPONSE>;

/** The same trivial handler behind every contender, counting how often it really ran. */
export function trivialHandler(): { handler: () => Promise<typeof HANDLER_RESPONSE>; runs: () => number } {
  let runs = 0;
  return {
    handler: async () => {
      runs++;
      return HANDLER_RESPONSE;
    },
    runs: () => runs,
  };
}

/** The records' scope of every contender. */
export const SCOPE = "bench-consumer";

/** Ours: the Middy middleware, no log output (Powertools writes none either), table created beforehand. */
export function oursConsumer(client: DynamoDBClient, tableName: string, handler: () => Promise<unknown>) {
  const middleware = idempotency({ tableName, client, scope: SCOPE, logger: () => {} });
  return middy(handler).use(middleware) as unknown as ConsumerHandler;
}

/**
 * Powertools' `makeHandlerIdempotent` on Middy with its DynamoDB persistence layer, keyed on the same header and,
 * like ours, refusing a key reused with another payload (`payloadValidationJmesPath`), so both do the same job.
 */
export function powertoolsConsumer(client: DynamoDBClient, tableName: string, handler: () => Promise<unknown>) {
  const persistenceStore = new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
  const config = new IdempotencyConfig({
    eventKeyJmesPath: `headers."${KEY_HEADER}"`,
    payloadValidationJmesPath: "body",
  });
  return middy(handler).use(makeHandlerIdempotent({ persistenceStore, config })) as unknown as ConsumerHandler;
}

// A SHA-256 in base64url is 43 characters: the floor's records are the size of ours without hashing anything.
const FLOOR_FINGERPRINT = "f".repeat(43);
const RETENTION_SECONDS = 7 * 24 * 3600;

/**
 * `makeIdempotent` around the same handler, as a queue worker or a cron job uses it: called in-process with the
 * webhook's parsed body, keyed on its `id` (the key), the arguments fingerprinted as canonical JSON.
 */
export function makeIdempotentConsumer(client: DynamoDBClient, tableName: string, handler: () => Promise<unknown>) {
  return makeIdempotent(async (_call, _webhook: { id: string }) => (await handler()) as typeof HANDLER_RESPONSE, {
    key: (webhook: { id: string }) => webhook.id,
    tableName,
    client,
    scope: SCOPE,
    logger: () => {},
  });
}

/** The floor: {@link floorOnce} around the handler, keyed on the event's header. No Middy. */
export function floorConsumer(client: DynamoDBClient, tableName: string, handler: () => Promise<unknown>) {
  return (async (event: APIGatewayProxyEventV2) =>
    floorOnce(client, tableName, event.headers[KEY_HEADER] ?? "", handler)) as ConsumerHandler;
}

/**
 * The two DynamoDB calls our SDK makes for a first-time key (the conditional claim PutItem, then the
 * owner-conditional completion UpdateItem), with the same attributes, issued raw around the handler. No key
 * validation, no hashing, no event shape detection: what no idempotency layer can go below. A duplicate is the
 * refused claim, whose ALL_OLD item carries the stored response. The floor of every contender, Lambda or server.
 */
export async function floorOnce(
  client: DynamoDBClient,
  tableName: string,
  key: string,
  handler: () => Promise<unknown>,
): Promise<typeof HANDLER_RESPONSE> {
  const id = `${SCOPE}#${key}`;
  const ownerToken = randomUUID();
  const nowMs = Date.now();
  const nowSec = Math.floor(nowMs / 1000);
  try {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          id: { S: id },
          status: { S: "IN_PROGRESS" },
          ownerToken: { S: ownerToken },
          fingerprint: { S: FLOOR_FINGERPRINT },
          startedAtMs: { N: String(nowMs) },
          expiresAt: { N: String(nowSec + RETENTION_SECONDS) },
        },
        ConditionExpression: "attribute_not_exists(#id) OR #expiresAt < :nowSec",
        ExpressionAttributeNames: { "#id": "id", "#expiresAt": "expiresAt" },
        ExpressionAttributeValues: { ":nowSec": { N: String(nowSec) } },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
  } catch (error) {
    const refused = error as { name?: string; Item?: { response?: { S?: string } } };
    if (refused.name !== "ConditionalCheckFailedException") throw error;
    return JSON.parse(refused.Item?.response?.S ?? "null");
  }
  const response = await handler();
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { id: { S: id } },
      UpdateExpression:
        "SET #status = :status, #completedAtMs = :completedAtMs, #responseKind = :responseKind, #response = :response REMOVE #lease",
      ConditionExpression: "#ownerToken = :ownerToken AND #status = :inProgress",
      ExpressionAttributeNames: {
        "#status": "status",
        "#ownerToken": "ownerToken",
        "#lease": "leaseExpiresAtMs",
        "#completedAtMs": "completedAtMs",
        "#responseKind": "responseKind",
        "#response": "response",
      },
      ExpressionAttributeValues: {
        ":status": { S: "COMPLETED" },
        ":ownerToken": { S: ownerToken },
        ":inProgress": { S: "IN_PROGRESS" },
        ":completedAtMs": { N: String(Date.now()) },
        ":responseKind": { S: "json" },
        ":response": { S: JSON.stringify(response) },
      },
    }),
  );
  return response as typeof HANDLER_RESPONSE;
}
