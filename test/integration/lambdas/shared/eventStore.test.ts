import { randomUUID } from "node:crypto";
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { boundedClientConfig } from "../../../../lambdas/shared/awsClientLimits.ts";
import { eventPartitionKey, idempotencyKeyFor } from "../../../../lambdas/shared/eventKey.ts";
import { type EventItem, SWEEP_INDEX_NAME, SWEEP_SHARD } from "../../../../lambdas/shared/eventRecord.ts";
import {
  acceptEvent,
  type EventsTable,
  findStuckReceived,
  leaveSweepIndex,
  markQueued,
  readEvent,
} from "../../../../lambdas/shared/eventStore.ts";
import { ensureEventsTable, eventsTableDefinition } from "../../../../lambdas/shared/eventsTable.ts";
import { deleteTable, localClient } from "../../../support/dynamoDbTables.ts";

const client = localClient();
let table: EventsTable;
beforeAll(async () => {
  table = { client, tableName: `events-${randomUUID().slice(0, 8)}` };
  await ensureEventsTable(client, table.tableName);
});
afterAll(async () => {
  await deleteTable(client, table.tableName);
  client.destroy();
});

const BASE_MS = Date.now();

function receivedItem(receivedAtMs = BASE_MS, eventId = randomUUID()): EventItem {
  return {
    pk: eventPartitionKey("stripe", eventId),
    provider: "stripe",
    eventId,
    idempotencyKey: idempotencyKeyFor("stripe", eventId),
    status: "RECEIVED",
    payload: new Uint8Array([0, 255, 1, 2]),
    contentType: "application/json",
    headers: { "content-type": "application/json" },
    attributes: {},
    receivedAtMs,
    expiresAt: Math.floor(receivedAtMs / 1000) + 3600,
    sweepShard: SWEEP_SHARD,
    destinationIds: ["a", "b"],
    destinations: { a: { status: "PENDING", attempts: 0 }, b: { status: "PENDING", attempts: 0 } },
    attempts: [],
    version: 0,
  };
}

async function setStatus(pk: string, status: string) {
  await client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: pk } },
      UpdateExpression: "SET #s = :s",
      ExpressionAttributeNames: { "#s": "status" },
      ExpressionAttributeValues: { ":s": { S: status } },
    }),
  );
}

describe("events table", () => {
  test("has the pk key, on-demand billing, the keys-only sparse sweep index and TTL on expiresAt", async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(Table?.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(Table?.GlobalSecondaryIndexes?.[0]).toMatchObject({
      IndexName: SWEEP_INDEX_NAME,
      KeySchema: [
        { AttributeName: "sweepShard", KeyType: "HASH" },
        { AttributeName: "receivedAtMs", KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "KEYS_ONLY" },
    });
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
    expect(eventsTableDefinition("x").TableName).toBe("x");
  });

  test("ensureEventsTable is a no-op on an existing table", async () => {
    await expect(ensureEventsTable(client, table.tableName)).resolves.toBeUndefined();
  });
});

describe("acceptEvent", () => {
  test("stores the first item and returns the stored one to every later writer", async () => {
    const item = receivedItem();
    expect(await acceptEvent(table, item)).toEqual({ accepted: true });
    const duplicate = { ...item, receivedAtMs: BASE_MS + 5, payload: new Uint8Array([9]) };
    const result = await acceptEvent(table, duplicate);
    const stored = { ...item, acceptToken: expect.any(String) };
    expect(result).toEqual({ accepted: false, existing: stored });
    expect(await readEvent(table, item.pk)).toEqual(stored);
  });

  test("accepts its own write when the SDK retries a put whose answer was lost, and only then", async () => {
    const item = receivedItem();
    // The gateway's client (its retries): the first attempt is applied, then its answer is lost, and the SDK
    // sends the same put again.
    const lossy = new DynamoDBClient(boundedClientConfig());
    let attempts = 0;
    lossy.middlewareStack.add(
      (next) => async (args) => {
        attempts += 1;
        const output = await next(args);
        if (attempts === 1) throw Object.assign(new Error("socket timed out"), { name: "TimeoutError" });
        return output;
      },
      { step: "deserialize", name: "loseFirstAnswer" },
    );
    try {
      expect(await acceptEvent({ client: lossy, tableName: table.tableName }, item)).toEqual({ accepted: true });
      expect(attempts).toBe(2);
    } finally {
      lossy.destroy();
    }
    // Another writer of the same event is still a duplicate.
    expect(await acceptEvent(table, item)).toMatchObject({ accepted: false });
  });

  test("lets exactly one of many concurrent writers win", async () => {
    const item = receivedItem();
    const results = await Promise.all(Array.from({ length: 20 }, () => acceptEvent(table, item)));
    expect(results.filter((r) => r.accepted)).toHaveLength(1);
  });
});

describe("markQueued", () => {
  test("moves RECEIVED to QUEUED once, dropping sweepShard; a second call returns false", async () => {
    const item = receivedItem();
    await acceptEvent(table, item);
    expect(await markQueued(table, item.pk, BASE_MS + 10)).toBe(true);
    const stored = await readEvent(table, item.pk);
    expect(stored).toMatchObject({ status: "QUEUED", queuedAtMs: BASE_MS + 10 });
    expect(stored?.sweepShard).toBeUndefined();
    expect(await markQueued(table, item.pk, BASE_MS + 20)).toBe(false);
    expect((await readEvent(table, item.pk))?.queuedAtMs).toBe(BASE_MS + 10);
  });

  test("returns false for a missing item and does not create one", async () => {
    const pk = eventPartitionKey("stripe", randomUUID());
    expect(await markQueued(table, pk, BASE_MS)).toBe(false);
    expect(await readEvent(table, pk)).toBeUndefined();
  });
});

describe("findStuckReceived and leaveSweepIndex", () => {
  test("finds RECEIVED events older than the cutoff, oldest first, at most limit, across pages", async () => {
    const start = BASE_MS - 10_000_000;
    const old = [3, 1, 2].map((n) => receivedItem(start + n));
    const young = receivedItem(start + 100);
    const queued = receivedItem(start);
    for (const item of [...old, young, queued]) await acceptEvent(table, item);
    await markQueued(table, queued.pk, start);

    const found = await findStuckReceived(table, start + 50, 10);
    expect(found).toEqual(
      [1, 2, 3].map((n) => ({ pk: old.find((i) => i.receivedAtMs === start + n)?.pk, receivedAtMs: start + n })),
    );
    expect(await findStuckReceived(table, start + 50, 2)).toEqual(found.slice(0, 2));
    for (const item of [...old, young]) await markQueued(table, item.pk, start);
  });

  test("leaveSweepIndex refuses a RECEIVED event and removes sweepShard from a settled one", async () => {
    const item = receivedItem(BASE_MS - 20_000_000);
    await acceptEvent(table, item);
    expect(await leaveSweepIndex(table, item.pk)).toBe(false);
    await setStatus(item.pk, "DELIVERED");
    expect(await leaveSweepIndex(table, item.pk)).toBe(true);
    expect((await readEvent(table, item.pk))?.sweepShard).toBeUndefined();
    expect(await findStuckReceived(table, BASE_MS - 1, 100)).toEqual([]);
    expect(await leaveSweepIndex(table, eventPartitionKey("stripe", randomUUID()))).toBe(false);
  });
});
