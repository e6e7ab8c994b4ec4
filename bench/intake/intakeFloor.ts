import { type AttributeValue, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { markQueued } from "../../lambdas/shared/eventStore.ts";
import { type IndexShardCounts, indexShardCounts, listShardOf } from "../../lambdas/shared/indexShards.ts";
import { storedBodyAttributes } from "../../lambdas/shared/storedBody.ts";
import { PROVIDER } from "./stripeEvents.ts";

/** Where the floor writes: its own events table and queue, laid out as the intake's. */
export interface FloorTargets {
  ddb: DynamoDBClient;
  sqs: SQSClient;
  eventsTable: string;
  queueUrl: string;
  destinationId: string;
}

// The intake's key is `whk_` + 43 base64url characters: the floor's items are the same size without hashing.
const KEY_PLACEHOLDER = `whk_${"k".repeat(43)}`;
const RETENTION_SECONDS = 30 * 24 * 3600;
// The store writes a random UUID per put (36 characters); the floor writes one of the same length without drawing it.
const ACCEPT_TOKEN_PLACEHOLDER = "t".repeat(36);
// The intake's default configuration: its index shards.
const SHARDS = indexShardCounts(1_000);

/**
 * The intake's floor: the four calls an accepted event costs (conditional PutItem of the RECEIVED state,
 * conditional PutItem of the body, SendMessageBatch of its job, UpdateItem to QUEUED), issued raw with items of the
 * same attributes and sizes (the body in its stored form: the encoding is part of what is written; the update
 * through the store's own one-call `markQueued`). No signature check, no key derivation, no marshalling, no log
 * line. A duplicate is the refused PutItem of the state (the event is QUEUED by then: no body put follows).
 */
export function intakeFloor(targets: FloorTargets) {
  const { ddb, sqs, eventsTable, queueUrl, destinationId } = targets;
  return async (eventId: string, event: APIGatewayProxyEventV2): Promise<{ statusCode: number }> => {
    const pk = `${PROVIDER}#${eventId}`;
    const nowMs = Date.now();
    const body = storedBodyAttributes(Buffer.from(event.body ?? "", "utf8"));
    const expiresAt = { N: String(Math.floor(nowMs / 1000) + RETENTION_SECONDS) };
    try {
      await ddb.send(
        new PutItemCommand({
          TableName: eventsTable,
          Item: floorState(pk, eventId, event, destinationId, nowMs, body, SHARDS),
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": "pk" },
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === "ConditionalCheckFailedException") return { statusCode: 200 };
      throw error;
    }
    await ddb.send(
      new PutItemCommand({
        TableName: eventsTable,
        Item: {
          pk: { S: pk },
          sk: { S: "body" },
          encoding: { S: body.encoding },
          data: { B: body.data },
          bytes: { N: String(body.bytes) },
          expiresAt,
        },
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "pk" },
      }),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [{ Id: "0", MessageBody: JSON.stringify({ pk, destination: destinationId }) }],
      }),
    );
    // markQueued is the store's thin wrapper of that one UpdateItem: nothing of the intake's own work is in it.
    await markQueued({ client: ddb, tableName: eventsTable }, pk, Date.now());
    return { statusCode: 202 };
  };
}

/** The RECEIVED state with the intake's attributes, built directly as attribute values. */
function floorState(
  pk: string,
  eventId: string,
  event: APIGatewayProxyEventV2,
  destinationId: string,
  nowMs: number,
  body: { encoding: string; bytes: number },
  shards: IndexShardCounts,
): Record<string, AttributeValue> {
  const contentType = event.headers["content-type"] ?? "";
  const eventType = eventTypeOf(event.body);
  return {
    pk: { S: pk },
    sk: { S: "state" },
    provider: { S: PROVIDER },
    eventId: { S: eventId },
    idempotencyKey: { S: KEY_PLACEHOLDER },
    status: { S: "RECEIVED" },
    body: { M: { kind: { S: "inline" }, encoding: { S: body.encoding }, bytes: { N: String(body.bytes) } } },
    contentType: { S: contentType },
    headers: { M: { "content-type": { S: contentType }, "user-agent": { S: event.headers["user-agent"] ?? "" } } },
    // The type the Stripe verifier records from the body it parsed (what operators list and filter by).
    attributes: { M: eventType === undefined ? {} : { eventType: { S: eventType } } },
    receivedAtMs: { N: String(nowMs) },
    expiresAt: { N: String(Math.floor(nowMs / 1000) + RETENTION_SECONDS) },
    listShard: { S: listShardOf(pk, shards) },
    destinationIds: { L: [{ S: destinationId }] },
    destinations: { M: { [destinationId]: { M: { status: { S: "PENDING" }, attempts: { N: "0" } } } } },
    acceptToken: { S: ACCEPT_TOKEN_PLACEHOLDER },
    version: { N: "0" },
  };
}

function eventTypeOf(body: string | undefined): string | undefined {
  try {
    const type = (JSON.parse(body ?? "") as { type?: unknown }).type;
    return typeof type === "string" ? type : undefined;
  } catch {
    return undefined;
  }
}
