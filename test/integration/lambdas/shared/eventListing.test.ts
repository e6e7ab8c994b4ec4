import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { writeOverallStatus } from "../../../../lambdas/delivery/deliveryStore.ts";
import { eventPartitionKey, idempotencyKeyFor } from "../../../../lambdas/shared/eventKey.ts";
import { cursorAfter, type ListingCursor, listEvents } from "../../../../lambdas/shared/eventListing.ts";
import type { EventState, EventStatus } from "../../../../lambdas/shared/eventRecord.ts";
import { acceptEvent, type EventsTable, markQueued } from "../../../../lambdas/shared/eventStore.ts";
import { ensureEventsTable } from "../../../../lambdas/shared/eventsTable.ts";
import { indexShardCounts, listShardOf, problemShardOf, shardOf } from "../../../../lambdas/shared/indexShards.ts";
import { seededRandom } from "../../../../local/seededRandom.ts";
import { deleteTable, localClient } from "../../../support/dynamoDbTables.ts";
import { countRequests } from "../../../support/requestCounter.ts";

// 10 000 events/s: 20 listing shards and 40 problem shards, so every reader fans out wide.
const SHARDS = indexShardCounts(10_000);
// 1 000 events/s: 2 listing shards, so that one shard holds many events of one millisecond.
const FEW_SHARDS = indexShardCounts(1_000);
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

function state(receivedAtMs: number, eventId = `evt_${randomUUID()}`, shards = SHARDS): EventState {
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
    listShard: listShardOf(pk, shards),
    destinationIds: ["orders"],
    destinations: { orders: { status: "PENDING", attempts: 0 } },
    version: 0,
  };
}

/** Stores an event received at `receivedAtMs` and takes it to `status` the way the gateway does. */
async function stored(
  receivedAtMs: number,
  status: EventStatus,
  eventId?: string,
  shards = SHARDS,
): Promise<EventState> {
  const item = state(receivedAtMs, eventId, shards);
  await acceptEvent(table, item);
  if (status !== "RECEIVED") await markQueued(table, item.pk, receivedAtMs);
  if (status !== "RECEIVED" && status !== "QUEUED") {
    expect(await writeOverallStatus({ ...table, shards: SHARDS }, item, status, 0)).toBe(true);
  }
  return { ...item, status };
}

/** A seeded Fisher–Yates shuffle: one seed, one order. */
function seededShuffle(seed: number): <T>(items: T[]) => void {
  const random = seededRandom(seed);
  return (items) => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [items[i], items[j]] = [items[j] as (typeof items)[number], items[i] as (typeof items)[number]];
    }
  };
}

/** Shuffles, in place, each run of a page's entries that share their `receivedAtMs`. */
function shuffleTies(items: Record<string, { N?: string }>[], shuffle: <T>(items: T[]) => void): void {
  for (let start = 0; start < items.length; ) {
    let end = start + 1;
    while (end < items.length && items[end]?.receivedAtMs?.N === items[start]?.receivedAtMs?.N) end++;
    const run = items.slice(start, end);
    shuffle(run);
    items.splice(start, run.length, ...run);
    start = end;
  }
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
    // A Query's results are sorted by the sort key, and only by it: index key values need not be unique (Amazon
    // DynamoDB Developer Guide, "Using Global Secondary Indexes"), and nothing orders the entries of one
    // millisecond. DynamoDB Local happens to return them by table key; this reader shuffles them (seeded), as AWS may.
    const reader = localClient();
    const shuffle = seededShuffle(20261203);
    reader.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        const items = (result.output as { Items?: Record<string, { N?: string }>[] }).Items;
        if (context.commandName === "QueryCommand" && items !== undefined) shuffleTies(items, shuffle);
        return result;
      },
      { step: "initialize", name: "unorderedTies" },
    );
    const readTable = { client: reader, tableName: table.tableName };
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Up to 30 events over 3 milliseconds in the 2 shards of 1 000 events/s: most share theirs, in one shard too.
        fc.array(fc.record({ offsetMs: fc.integer({ min: 0, max: 2 }), queued: fc.boolean() }), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom(undefined, "QUEUED" as const),
        async (specs, limit, status) => {
          const t = base + 1_000_000 + run++ * 1_000;
          const all = await Promise.all(
            specs.map(({ offsetMs, queued }) =>
              stored(t + offsetMs, queued ? "QUEUED" : "RECEIVED", undefined, FEW_SHARDS),
            ),
          );
          const expected = all.filter((event) => status === undefined || event.status === status);
          const window = { sinceMs: t, untilMs: t + 999, limit, ...(status !== undefined && { status }) };
          const paged: EventState[] = [];
          let after: ListingCursor | undefined;
          for (let pages = 0; pages <= expected.length; pages++) {
            const page = await listEvents(readTable, FEW_SHARDS, { ...window, ...(after !== undefined && { after }) });
            expect(page.length).toBeLessThanOrEqual(limit);
            paged.push(...page);
            if (page.length < limit) break;
            after = cursorAfter(page, after);
          }
          // Every event once, none skipped, newest first across the pages (one millisecond's in any order).
          const pks = paged.map(({ pk }) => pk);
          expect(new Set(pks).size).toBe(pks.length);
          expect([...pks].sort()).toEqual(expected.map(({ pk }) => pk).sort());
          const times = paged.map(({ receivedAtMs }) => receivedAtMs);
          expect(times).toEqual([...times].sort((a, b) => b - a));
        },
      ),
      { numRuns: 25, seed: 20261203 },
    );
    reader.destroy();
  }, 120_000);
});
