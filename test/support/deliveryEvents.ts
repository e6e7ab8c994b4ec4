import { randomBytes, randomUUID } from "node:crypto";
import { CreateTableCommand, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { StoredEvent } from "../../lambdas/delivery/deliveryStore.ts";
import { readEventHistory } from "../../lambdas/shared/eventHistory.ts";
import { eventPartitionKey, idempotencyKeyFor } from "../../lambdas/shared/eventKey.ts";
import type { AttemptEntry } from "../../lambdas/shared/eventRecord.ts";
import { storeBody } from "../../lambdas/shared/eventStore.ts";
import { eventsTableDefinition } from "../../lambdas/shared/eventsTable.ts";
import { DEFAULT_PEAK_EVENTS_PER_SECOND, indexShardCounts, listShardOf } from "../../lambdas/shared/indexShards.ts";
import { storedBodyAttributes } from "../../lambdas/shared/storedBody.ts";

/** The index shards of the default configuration (`peakEventsPerSecond` 1000), which the delivery tests run with. */
export const DEFAULT_SHARDS = indexShardCounts(DEFAULT_PEAK_EVENTS_PER_SECOND);

/** An event as a test stores it: its state, and the signed bytes for its body item. */
export type TestEvent = StoredEvent & { payload: Uint8Array };

/** A stored event as a test reads it back: its state and every attempt listed (`readEventHistory`). */
export type ReadEvent = StoredEvent & { attempts: AttemptEntry[] };

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
  overrides: Partial<TestEvent> & { eventId?: string; provider?: string } = {},
): TestEvent {
  const provider = overrides.provider ?? "stripe";
  const eventId = overrides.eventId ?? `evt_${randomUUID()}`;
  const nowMs = Date.now();
  const pk = eventPartitionKey(provider, eventId);
  const payload =
    overrides.payload ?? new TextEncoder().encode(JSON.stringify({ id: eventId, type: "invoice.paid", amount: 4200 }));
  const { encoding, bytes } = storedBodyAttributes(payload);
  return {
    pk,
    sk: "state",
    provider,
    eventId,
    idempotencyKey: idempotencyKeyFor(provider, eventId),
    status: "QUEUED",
    payload,
    body: { kind: "inline", encoding, bytes },
    contentType: "application/json",
    headers: {},
    attributes: {},
    receivedAtMs: nowMs,
    queuedAtMs: nowMs,
    expiresAt: Math.floor(nowMs / 1000) + 3600,
    listShard: listShardOf(pk, DEFAULT_SHARDS),
    destinationIds,
    destinations: Object.fromEntries(destinationIds.map((id) => [id, { status: "PENDING", attempts: 0 }])),
    version: 0,
    ...overrides,
  };
}

/** Stores the event's state item and its body item, as the intake leaves them. */
export async function putEvent(client: DynamoDBClient, tableName: string, event: TestEvent): Promise<void> {
  const { payload, ...state } = event;
  await client.send(
    new PutItemCommand({ TableName: tableName, Item: marshall(state, { removeUndefinedValues: true }) }),
  );
  const body = { pk: state.pk, ...storedBodyAttributes(payload), expiresAt: state.expiresAt };
  await storeBody({ client, tableName }, body);
}

/** The stored event's state with every attempt listed; fails the test when it is missing. */
export async function storedEvent(client: DynamoDBClient, tableName: string, pk: string): Promise<ReadEvent> {
  const history = await readEventHistory({ client, tableName }, pk);
  if (history === undefined) throw new Error(`no event ${pk}`);
  return { ...history.state, attempts: history.attempts };
}
