import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { writeOverallStatus } from "../../../../lambdas/delivery/deliveryStore.ts";
import { eventPartitionKey, idempotencyKeyFor } from "../../../../lambdas/shared/eventKey.ts";
import { listEvents, listedBefore } from "../../../../lambdas/shared/eventListing.ts";
import type { EventState, EventStatus } from "../../../../lambdas/shared/eventRecord.ts";
import { acceptEvent, type EventsTable, markQueued } from "../../../../lambdas/shared/eventStore.ts";
import { ensureEventsTable } from "../../../../lambdas/shared/eventsTable.ts";
import { indexShardCounts, listShardOf, problemShardOf, shardOf } from "../../../../lambdas/shared/indexShards.ts";
import { deleteTable, localClient } from "../../../support/dynamoDbTables.ts";
import { countRequests } from "../../../support/requestCounter.ts";

// 10 000 events/s: 20 listing shards and 40 problem shards, so every reader fans out wide.
const SHARDS = indexShardCounts(10_000);
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

const T0 = Date.UTC(2026, 11, 1);

function state(receivedAtMs: number, eventId = `evt_${randomUUID()}`): EventState {
  const pk = eventPartitionKey("stripe", eventId);
  return {
    pk,
    sk: "state",
    provider: "stripe",
    eventId,
    idempotencyKey: idempotencyKeyFor("stripe", eventId),
    status: "RECEIVED",
    body: { kind: "inline", encoding: "identity", bytes: 2 },
    headers: {},
    attributes: {},
    receivedAtMs,
    expiresAt: Math.floor(receivedAtMs / 1000) + 86_400 * 400,
    listShard: listShardOf(pk, SHARDS),
    destinationIds: ["orders"],
    destinations: { orders: { status: "PENDING", attempts: 0 } },
    version: 0,
  };
}

/** Stores an event received at `receivedAtMs` and takes it to `status` the way the gateway does. */
async function stored(receivedAtMs: number, status: EventStatus, eventId?: string): Promise<EventState> {
  const item = state(receivedAtMs, eventId);
  await acceptEvent(table, item);
  if (status !== "RECEIVED") await markQueued(table, item.pk, receivedAtMs);
  if (status !== "RECEIVED" && status !== "QUEUED") {
    expect(await writeOverallStatus({ ...table, shards: SHARDS }, item, status, 0)).toBe(true);
  }
  return { ...item, status };
}

const keysOf = (states: EventState[]) => states.map(({ pk, status }) => ({ pk, status }));
const newestFirst = (states: EventState[]) =>
  [...states].sort((a, b) => b.receivedAtMs - a.receivedAtMs || b.pk.localeCompare(a.pk));

/** Counts the calls of one listing by command name. */
async function counted<T>(run: () => Promise<T>): Promise<{ result: T; calls: Record<string, number> }> {
  const counter = countRequests(client);
  const result = await run();
  const calls: Record<string, number> = {};
  for (const name of counter.take()) calls[name] = (calls[name] ?? 0) + 1;
  return { result, calls };
}

describe("listEvents", () => {
  const base = T0;
  const statuses: EventStatus[] = ["QUEUED", "DELIVERED", "FAILED", "DEAD", "RECEIVED"];
  let events: EventState[] = [];
  beforeAll(async () => {
    // 30 events a second apart, cycling through the statuses, spread over the shards by their keys.
    events = [];
    for (let n = 0; n < 30; n++) events.push(await stored(base + n * 1000, statuses[n % statuses.length] ?? "QUEUED"));
  });
  const window = { sinceMs: base, untilMs: base + 3_600_000 };

  test("lists every event newest first across the 20 listing shards, querying each once, never scanning", async () => {
    const { result, calls } = await counted(() => listEvents(table, SHARDS, { ...window, limit: 100 }));
    expect(keysOf(result)).toEqual(keysOf(newestFirst(events)));
    expect(calls).toEqual({ QueryCommand: SHARDS.list, BatchGetItemCommand: 1 });
  });

  test("honours the limit and the time window", async () => {
    const newest = await listEvents(table, SHARDS, { ...window, limit: 7 });
    expect(keysOf(newest)).toEqual(keysOf(newestFirst(events).slice(0, 7)));
    const middle = await listEvents(table, SHARDS, { sinceMs: base + 10_000, untilMs: base + 14_000, limit: 100 });
    expect(middle.map((e) => e.receivedAtMs)).toEqual([14, 13, 12, 11, 10].map((s) => base + s * 1000));
  });

  test.each(["FAILED", "DEAD"] as const)(
    "lists %s events from the problem index: a Query on each of its 40 shards, no filter on the listing",
    async (status) => {
      const { result, calls } = await counted(() => listEvents(table, SHARDS, { ...window, limit: 100, status }));
      expect(keysOf(result)).toEqual(keysOf(newestFirst(events.filter((e) => e.status === status))));
      expect(calls).toEqual({ QueryCommand: SHARDS.problem, BatchGetItemCommand: 1 });
    },
  );

  test("lists QUEUED, DELIVERED and RECEIVED events from the listing index, keeping the states of that status", async () => {
    for (const status of ["QUEUED", "DELIVERED", "RECEIVED"] as const) {
      const { result, calls } = await counted(() => listEvents(table, SHARDS, { ...window, limit: 100, status }));
      expect(keysOf(result)).toEqual(keysOf(newestFirst(events.filter((e) => e.status === status))));
      expect(calls.QueryCommand).toBe(SHARDS.list);
      expect(calls.ScanCommand).toBeUndefined();
    }
  });

  test("a redriven event leaves the problem index", async () => {
    const dead = await stored(base + 40_000, "DEAD");
    expect(keysOf(await listEvents(table, SHARDS, { ...window, limit: 1, status: "DEAD" }))).toEqual(keysOf([dead]));
    expect(
      await writeOverallStatus(
        { ...table, shards: SHARDS },
        { ...dead, problemShard: problemShardOf(dead.pk, "DEAD", SHARDS) },
        "QUEUED",
        0,
      ),
    ).toBe(true);
    const after = await listEvents(table, SHARDS, { sinceMs: base + 40_000, untilMs: base + 40_000, limit: 5 });
    expect(keysOf(after)).toEqual([{ pk: dead.pk, status: "QUEUED" }]);
    expect(
      await listEvents(table, SHARDS, { sinceMs: base + 40_000, untilMs: base + 40_000, limit: 5, status: "DEAD" }),
    ).toEqual([]);
  });

  test("reads a shard's next pages when the merge needs them: newest events all in one shard, the match further back", async () => {
    const t = base + 100_000;
    // Eight events in listing shard 5, the newest six DELIVERED; one QUEUED event in another shard, older still.
    const inShard: EventState[] = [];
    for (let n = 0; inShard.length < 8; n++) {
      const id = `evt_page_${n}_${randomUUID()}`;
      if (shardOf(eventPartitionKey("stripe", id), SHARDS.list) !== 5) continue;
      inShard.push(await stored(t + 100 - inShard.length, inShard.length < 6 ? "DELIVERED" : "QUEUED", id));
    }
    const elsewhere = await stored(t, "QUEUED");
    const query = { sinceMs: t, untilMs: t + 1_000, limit: 3, status: "QUEUED" as const };
    const { result, calls } = await counted(() => listEvents(table, SHARDS, query));
    expect(keysOf(result)).toEqual(keysOf([inShard[6], inShard[7], elsewhere] as EventState[]));
    // Pages of 3: shard 5 is read three times (3 + 3 + 2 entries), every other shard once.
    expect(calls.QueryCommand).toBe(SHARDS.list + 2);
  });

  test("pages through events in the same millisecond without skipping or repeating one (property)", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Up to 30 events over 4 milliseconds: most share theirs with others, across the 20 shards.
        fc.array(fc.record({ offsetMs: fc.integer({ min: 0, max: 3 }), queued: fc.boolean() }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom(undefined, "QUEUED" as const),
        async (specs, limit, status) => {
          const t = base + 1_000_000 + run++ * 1_000;
          const all = await Promise.all(
            specs.map(({ offsetMs, queued }) => stored(t + offsetMs, queued ? "QUEUED" : "RECEIVED")),
          );
          const expected = all
            .filter((event) => status === undefined || event.status === status)
            .sort((a, b) => (listedBefore(a, b) ? -1 : 1))
            .map(({ pk }) => pk);
          const window = { sinceMs: t, untilMs: t + 999, limit, ...(status !== undefined && { status }) };
          const paged: string[] = [];
          let after: EventState | undefined;
          for (let pages = 0; pages <= expected.length; pages++) {
            const page = await listEvents(table, SHARDS, { ...window, ...(after !== undefined && { after }) });
            paged.push(...page.map(({ pk }) => pk));
            if (page.length < limit) break;
            after = page[page.length - 1];
          }
          expect(paged).toEqual(expected);
        },
      ),
      { numRuns: 25, seed: 20261203 },
    );
  }, 120_000);
});
