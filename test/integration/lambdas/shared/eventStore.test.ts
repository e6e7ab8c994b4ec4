import { randomUUID } from "node:crypto";
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
} from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { readBody } from "../../../../lambdas/delivery/deliveryStore.ts";
import { boundedClientConfig } from "../../../../lambdas/shared/awsClientLimits.ts";
import { eventPartitionKey, idempotencyKeyFor } from "../../../../lambdas/shared/eventKey.ts";
import { walkIndex } from "../../../../lambdas/shared/eventListing.ts";
import { type EventState, LIST_INDEX_NAME, PROBLEM_INDEX_NAME } from "../../../../lambdas/shared/eventRecord.ts";
import {
  acceptEvent,
  type EventsTable,
  hasBody,
  markQueued,
  readEvent,
  storeBody,
} from "../../../../lambdas/shared/eventStore.ts";
import { ensureEventsTable, eventsTableDefinition } from "../../../../lambdas/shared/eventsTable.ts";
import { indexShardCounts, listShardOf, listShardValues, shardOf } from "../../../../lambdas/shared/indexShards.ts";
import { storedBodyAttributes } from "../../../../lambdas/shared/storedBody.ts";
import { deleteTable, localClient } from "../../../support/dynamoDbTables.ts";
import { countRequests } from "../../../support/requestCounter.ts";

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
// 10 000 events/s: 20 listing shards, so the sweeper's fan-out and merge are exercised.
const SHARDS = indexShardCounts(10_000);

function receivedItem(receivedAtMs = BASE_MS, eventId = randomUUID()): EventState {
  const pk = eventPartitionKey("stripe", eventId);
  return {
    pk,
    sk: "state",
    provider: "stripe",
    eventId,
    idempotencyKey: idempotencyKeyFor("stripe", eventId),
    status: "RECEIVED",
    body: { kind: "inline", encoding: "identity", bytes: 4 },
    contentType: "application/json",
    headers: { "content-type": "application/json" },
    attributes: {},
    receivedAtMs,
    expiresAt: Math.floor(receivedAtMs / 1000) + 3600,
    listShard: listShardOf(pk, SHARDS),
    destinationIds: ["a", "b"],
    destinations: { a: { status: "PENDING", attempts: 0 }, b: { status: "PENDING", attempts: 0 } },
    version: 0,
  };
}

/**
 * The gateway's client (its retries), whose first attempt is applied and then its answer lost: the SDK sends the
 * same request again.
 */
function losingFirstAnswer() {
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
  return { lossy, attempts: () => attempts };
}

const bodyOf = (pk: string, bytes: Uint8Array) => ({ pk, ...storedBodyAttributes(bytes), expiresAt: 2_000_000_000 });

describe("events table", () => {
  test("has the pk + sk keys, on-demand billing, the three keys-only sharded indexes and TTL on expiresAt", async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(Table?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    const indexes = (Table?.GlobalSecondaryIndexes ?? []).map(({ IndexName, KeySchema, Projection }) => ({
      IndexName,
      KeySchema,
      Projection,
    }));
    expect(indexes.sort((a, b) => String(a.IndexName).localeCompare(String(b.IndexName)))).toEqual(
      [
        [LIST_INDEX_NAME, "listShard"],
        [PROBLEM_INDEX_NAME, "problemShard"],
      ]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .map(([IndexName, partitionKey]) => ({
          IndexName,
          KeySchema: [
            { AttributeName: partitionKey, KeyType: "HASH" },
            { AttributeName: "receivedAtMs", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        })),
    );
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
    const duplicate = { ...item, receivedAtMs: BASE_MS + 5, body: { ...item.body, bytes: 1 } };
    const result = await acceptEvent(table, duplicate);
    const stored = { ...item, acceptToken: expect.any(String) };
    expect(result).toEqual({ accepted: false, existing: stored });
    expect(await readEvent(table, item.pk)).toEqual(stored);
  });

  test("accepts its own write when the SDK retries a put whose answer was lost, and only then", async () => {
    const item = receivedItem();
    // The gateway's client (its retries): the first attempt is applied, then its answer is lost, and the SDK
    // sends the same put again.
    const { lossy, attempts } = losingFirstAnswer();
    try {
      expect(await acceptEvent({ client: lossy, tableName: table.tableName }, item)).toEqual({ accepted: true });
      expect(attempts()).toBe(2);
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

describe("storeBody and hasBody", () => {
  test("stores a body once and never replaces it: a second writer finds it present", async () => {
    const item = receivedItem();
    await acceptEvent(table, item);
    expect(await hasBody(table, item.pk)).toBe(false);
    const signed = new Uint8Array([0, 255, 1, 2]);
    expect(await storeBody(table, bodyOf(item.pk, signed))).toBe("stored");
    expect(await storeBody(table, bodyOf(item.pk, new Uint8Array([9])))).toBe("present");
    expect(await readBody(table, item.pk)).toEqual(signed);
    expect(await hasBody(table, item.pk)).toBe(true);
  });

  test("keeps a compressible body gzip-encoded and gives back the exact bytes", async () => {
    const pk = eventPartitionKey("stripe", randomUUID());
    const json = new TextEncoder().encode(JSON.stringify({ items: Array.from({ length: 200 }, (_, n) => ({ n })) }));
    await storeBody(table, bodyOf(pk, json));
    const { Item } = await client.send(
      new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: pk }, sk: { S: "body" } } }),
    );
    expect(Item?.encoding?.S).toBe("gzip");
    expect(Number(Item?.bytes?.N)).toBe(json.byteLength);
    expect(Item?.data?.B?.byteLength).toBeLessThan(json.byteLength / 4);
    expect(Buffer.from((await readBody(table, pk)) ?? []).equals(Buffer.from(json))).toBe(true);
  });

  test("counts its own write as stored when the SDK retries a body put whose answer was lost", async () => {
    const pk = eventPartitionKey("stripe", randomUUID());
    const { lossy, attempts } = losingFirstAnswer();
    try {
      expect(await storeBody({ client: lossy, tableName: table.tableName }, bodyOf(pk, new Uint8Array([7])))).toBe(
        "present",
      );
      expect(attempts()).toBe(2);
    } finally {
      lossy.destroy();
    }
    expect(await readBody(table, pk)).toEqual(new Uint8Array([7]));
  });
});

describe("markQueued", () => {
  test("moves RECEIVED to QUEUED once, writing no index; a second call returns false", async () => {
    const item = receivedItem();
    await acceptEvent(table, item);
    expect(await markQueued(table, item.pk, BASE_MS + 10)).toBe(true);
    const stored = await readEvent(table, item.pk);
    expect(stored).toMatchObject({ status: "QUEUED", queuedAtMs: BASE_MS + 10 });
    expect(await markQueued(table, item.pk, BASE_MS + 20)).toBe(false);
    expect((await readEvent(table, item.pk))?.queuedAtMs).toBe(BASE_MS + 10);
  });

  test("returns false for a missing item and does not create one", async () => {
    const pk = eventPartitionKey("stripe", randomUUID());
    expect(await markQueued(table, pk, BASE_MS)).toBe(false);
    expect(await readEvent(table, pk)).toBeUndefined();
  });
});

/** `count` RECEIVED events whose keys fall in the same listing shard (so one shard's pages are followed too). */
function inOneShard(count: number, shard: number, receivedAtMs: (n: number) => number): EventState[] {
  const items: EventState[] = [];
  for (let n = 0; items.length < count; n++) {
    const item = receivedItem(receivedAtMs(items.length), `evt_shard_${shard}_${n}_${randomUUID()}`);
    if (shardOf(item.pk, SHARDS.list) === shard) items.push(item);
  }
  return items;
}

describe("walkIndex oldest first (the sweeper's walk)", () => {
  test("queries every listing shard and merges them oldest first: interleaved arrivals in 20 shards, across pages", async () => {
    const start = BASE_MS - 9_000_000;
    // Arrivals alternate between shards 3 and 17, and one is in shard 19: the order is the merge's, not a shard's.
    const a = inOneShard(3, 3, (n) => start + 2 * n);
    const b = inOneShard(3, 17, (n) => start + 2 * n + 1);
    const c = inOneShard(1, 19, () => start + 3);
    const all = [...a, ...b, ...c];
    for (const item of all) await acceptEvent(table, item);
    const counter = countRequests(client);
    const batches: { pk: string; receivedAtMs: number }[][] = [];
    // Pages of 2 entries: shard 3's and 17's second pages are read only when the merge reaches them.
    for await (const batch of walkIndex(table, SHARDS, {
      sinceMs: start,
      untilMs: start + 100,
      oldestFirst: true,
      pageSize: 2,
    })) {
      batches.push(batch);
    }
    const queries = counter.take();
    expect(new Set(queries)).toEqual(new Set(["QueryCommand"]));
    expect(queries.length).toBeGreaterThan(SHARDS.list);
    expect(listShardValues(SHARDS)).toHaveLength(20);
    const expected = [...all].sort((x, y) => x.receivedAtMs - y.receivedAtMs || x.pk.localeCompare(y.pk));
    expect(batches.flat()).toEqual(expected.map(({ pk, receivedAtMs }) => ({ pk, receivedAtMs })));
    for (const item of all) await markQueued(table, item.pk, start);
  });
});
