import { randomUUID } from "node:crypto";
import { type DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { bodyKey, stateKey } from "./eventItemKeys.ts";
import { BODY_SK, type BodyItem, type EventState } from "./eventRecord.ts";
import { callOptions, type RequestDeadline } from "./requestDeadline.ts";

/**
 * DynamoDB I/O for the events table, as plain functions. Every write is a single conditional call:
 * no read-before-write, so concurrent duplicates and a sweeper racing the intake are decided by DynamoDB.
 */
export interface EventsTable {
  client: DynamoDBClient;
  tableName: string;
}

/** Outcome of {@link acceptEvent}: the first writer wins; later ones get the stored state back. */
export type AcceptResult = { accepted: true } | { accepted: false; existing: EventState };

type AttributeMap = Record<string, never>;

function conditionFailed(error: unknown): error is { name: string; Item?: AttributeMap } {
  return (error as { name?: string } | null)?.name === "ConditionalCheckFailedException";
}

/**
 * Stores a new event's state with one conditional PutItem (`attribute_not_exists(pk)` on `sk = "state"`): the one
 * write that decides acceptance. On a duplicate, DynamoDB returns the stored state with the refusal
 * (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so no GetItem follows. The body is stored next (`storeBody`).
 *
 * The item carries a token of this call (`acceptToken`). When the answer to a put that DynamoDB applied is lost (a
 * request timeout, a reset connection), the SDK sends the same put again and it fails its condition on our own
 * write: the token tells that apart from a real duplicate, so the event is still accepted (and enqueued) by us
 * instead of waiting for the sweeper.
 */
export async function acceptEvent(
  table: EventsTable,
  item: EventState,
  deadline?: RequestDeadline,
): Promise<AcceptResult> {
  const acceptToken = randomUUID();
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall({ ...item, acceptToken }, { removeUndefinedValues: true }),
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "pk" },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
      callOptions(deadline, "PutItem"),
    );
    return { accepted: true };
  } catch (error) {
    if (!conditionFailed(error) || error.Item === undefined) throw error;
    const existing = unmarshall(error.Item) as EventState;
    if (existing.acceptToken === acceptToken) return { accepted: true };
    return { accepted: false, existing };
  }
}

/**
 * Stores an event's body item unless one is there (`attribute_not_exists(pk)`): a body is written once and never
 * replaced. The intake calls it after its state put, and a duplicate that finds the event still RECEIVED calls it
 * with its own copy of the bytes (its acceptance may have died between the two puts). Returns `"present"` when a
 * body was there already: another writer's, or this call's own when the SDK retried a put whose answer was lost.
 * Either way a body is stored when it returns.
 */
export async function storeBody(
  table: EventsTable,
  body: Omit<BodyItem, "sk">,
  deadline?: RequestDeadline,
): Promise<"stored" | "present"> {
  const { pk, encoding, data, bytes, expiresAt } = body;
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall({ pk, sk: BODY_SK, encoding, data, bytes, expiresAt }),
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "pk" },
      }),
      callOptions(deadline, "PutItem (body)"),
    );
    return "stored";
  } catch (error) {
    if (conditionFailed(error)) return "present";
    throw error;
  }
}

/**
 * Whether the event's body item exists. Eventually consistent: a body missed for being just written is found on a
 * later call, and a body once seen exists (it is never deleted before its TTL).
 */
export async function hasBody(table: EventsTable, pk: string): Promise<boolean> {
  const output = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: bodyKey(pk),
      ProjectionExpression: "#pk",
      ExpressionAttributeNames: { "#pk": "pk" },
    }),
  );
  return output.Item !== undefined;
}

/**
 * RECEIVED → QUEUED once its jobs are on the queue: what tells the sweeper, walking the listing index, that the
 * event needs nothing from it. Touches no index key (1 write unit for a state under 1 KB).
 * Returns false when the item is no longer RECEIVED: a concurrent requeue, the sweeper or the delivery got there first.
 */
export async function markQueued(
  table: EventsTable,
  pk: string,
  nowMs: number,
  options: { abortSignal?: AbortSignal } = {},
): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: stateKey(pk),
        UpdateExpression: "SET #status = :queued, #queuedAtMs = :now",
        ConditionExpression: "#status = :received",
        ExpressionAttributeNames: { "#status": "status", "#queuedAtMs": "queuedAtMs" },
        ExpressionAttributeValues: {
          ":queued": { S: "QUEUED" },
          ":received": { S: "RECEIVED" },
          ":now": { N: String(nowMs) },
        },
      }),
      options,
    );
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}

/** The stored event's state, read strongly consistently; undefined if absent (never stored, or expired). */
export async function readEvent(table: EventsTable, pk: string): Promise<EventState | undefined> {
  const output = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: stateKey(pk), ConsistentRead: true }),
  );
  return output.Item === undefined ? undefined : (unmarshall(output.Item) as EventState);
}
