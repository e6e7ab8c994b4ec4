import { randomBytes, randomUUID } from "node:crypto";
import { CreateTableCommand, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { StoredEvent } from "../../lambdas/delivery/deliveryStore.ts";
import { readEvent } from "../../lambdas/delivery/deliveryStore.ts";
import { eventPartitionKey, idempotencyKeyFor } from "../../lambdas/shared/eventKey.ts";
import { eventsTableDefinition } from "../../lambdas/shared/eventsTable.ts";

/** A fresh, uniquely named events table with the shared layout (`eventsTableDefinition`). */
export async function createEventsTable(client: DynamoDBClient, prefix = "delivery-events"): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateTableCommand(eventsTableDefinition(name)));
  return name;
}

/** A `whsec_` secret with 24 random bytes, like the ones Standard Webhooks libraries generate. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** An accepted event as the intake stores it once its jobs are enqueued (QUEUED, every destination PENDING). */
export function queuedEvent(
  destinationIds: string[],
  overrides: Partial<StoredEvent> & { eventId?: string; provider?: string } = {},
): StoredEvent {
  const provider = overrides.provider ?? "stripe";
  const eventId = overrides.eventId ?? `evt_${randomUUID()}`;
  const nowMs = Date.now();
  return {
    pk: eventPartitionKey(provider, eventId),
    provider,
    eventId,
    idempotencyKey: idempotencyKeyFor(provider, eventId),
    status: "QUEUED",
    payload: new TextEncoder().encode(JSON.stringify({ id: eventId, type: "invoice.paid", amount: 4200 })),
    contentType: "application/json",
    headers: {},
    attributes: {},
    receivedAtMs: nowMs,
    queuedAtMs: nowMs,
    expiresAt: Math.floor(nowMs / 1000) + 3600,
    destinationIds,
    destinations: Object.fromEntries(destinationIds.map((id) => [id, { status: "PENDING", attempts: 0 }])),
    attempts: [],
    version: 0,
    ...overrides,
  };
}

export async function putEvent(client: DynamoDBClient, tableName: string, item: StoredEvent): Promise<void> {
  await client.send(
    new PutItemCommand({ TableName: tableName, Item: marshall(item, { removeUndefinedValues: true }) }),
  );
}

/** The stored event; fails the test when it is missing. */
export async function storedEvent(client: DynamoDBClient, tableName: string, pk: string): Promise<StoredEvent> {
  const item = await readEvent({ client, tableName }, pk);
  if (item === undefined) throw new Error(`no event ${pk}`);
  return item;
}
