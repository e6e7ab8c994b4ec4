import { type AttributeValue, BatchGetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { stateKey } from "./eventItemKeys.ts";
import { type EventState, type EventStatus, LIST_INDEX_NAME, PROBLEM_INDEX_NAME } from "./eventRecord.ts";
import type { EventsTable } from "./eventStore.ts";
import { EVENTS_INDEXES } from "./eventsTable.ts";
import { type IndexShardCounts, listShardValues, problemShardValues } from "./indexShards.ts";

/** What {@link listEvents} lists: events received in `[sinceMs, untilMs]`, newest first, at most `limit`. */
export interface EventListQuery {
  sinceMs: number;
  untilMs: number;
  limit: number;
  /** Only events whose overall status is this one. @default every status */
  status?: EventStatus;
  /** Only the states this keeps (a provider, a destination's status): applied before `limit` counts. */
  keep?: (state: EventState) => boolean;
  /** Only the index entries this keeps, before their states are read (e.g. a provider, from the key). */
  keepKey?: (pk: string) => boolean;
  /** Only the events a page after the pages before would list (`cursorAfter`): none skipped, none repeated. */
  after?: ListingCursor;
}

// BatchGetItem takes at most 100 keys.
const BATCH_GET_MAX_KEYS = 100;
const UNPROCESSED_RETRIES = 5;

export interface IndexKey {
  pk: string;
  receivedAtMs: number;
}

/** One shard's entries, read a page at a time, newest first. */
interface ShardCursor {
  shard: string;
  buffered: IndexKey[];
  startKey?: Record<string, AttributeValue>;
  exhausted: boolean;
}

/**
 * The states of the events received in `[sinceMs, untilMs]`, newest first, at most `limit`; never a Scan.
 *
 * FAILED and DEAD are read from the sparse problem index, whose partition value names the status: a Query per
 * shard. Any other status, or none, reads the listing index (one entry per event, written at acceptance only) and
 * the states with BatchGetItem, keeping those whose status matches. Every shard is queried (in parallel), and the
 * shards' entries merged by arrival; a shard's next page is read only when the merge needs it. The indexes and
 * BatchGetItem are eventually consistent: an event whose status changed a moment ago may be listed by its old one.
 */
export async function listEvents(
  table: EventsTable,
  shards: IndexShardCounts,
  query: EventListQuery,
): Promise<EventState[]> {
  const problem = query.status === "FAILED" || query.status === "DEAD" ? query.status : undefined;
  const pageSize = Math.min(Math.max(query.limit, 1), BATCH_GET_MAX_KEYS);
  const { after } = query;
  const untilMs = after === undefined ? query.untilMs : Math.min(query.untilMs, after.receivedAtMs);
  const listedBefore = new Set(after?.pks ?? []);
  const listed: EventState[] = [];
  for await (const keys of walkIndex(table, shards, { ...query, untilMs, problem, pageSize })) {
    const wanted = keys.filter(
      (key) =>
        (after === undefined || key.receivedAtMs < after.receivedAtMs || !listedBefore.has(key.pk)) &&
        (query.keepKey?.(key.pk) ?? true),
    );
    if (wanted.length === 0) continue;
    for (const state of await statesOf(table, wanted)) {
      if (query.status !== undefined && state.status !== query.status) continue;
      if (query.keep !== undefined && !query.keep(state)) continue;
      listed.push(state);
      if (listed.length === query.limit) return listed;
    }
  }
  return listed;
}

/**
 * Where the next page of a listing starts: after the oldest millisecond the pages before reached, less the events
 * of that millisecond they listed. The index gives one millisecond's entries in no set order (and across shards,
 * merged), so a key alone could not say which of them came before it; naming them needs no read ahead.
 */
export interface ListingCursor {
  receivedAtMs: number;
  pks: readonly string[];
}

/** The cursor of the page after `page`, given the cursor that selected `page` (if any). */
export function cursorAfter(page: readonly IndexKey[], previous?: ListingCursor): ListingCursor | undefined {
  const last = page[page.length - 1];
  if (last === undefined) return previous;
  const sameMs = page.filter((key) => key.receivedAtMs === last.receivedAtMs).map(({ pk }) => pk);
  // A page all in the cursor's millisecond adds to its list: the next one must leave out both pages' events.
  const carried = previous?.receivedAtMs === last.receivedAtMs ? previous.pks : [];
  return { receivedAtMs: last.receivedAtMs, pks: [...carried, ...sameMs] };
}

/** What {@link walkIndex} walks: the listing index, or the problem index's entries of one status. */
export interface IndexWalk {
  sinceMs: number;
  untilMs: number;
  problem?: "FAILED" | "DEAD";
  /** Entries per Query page and per batch yielded (at most 100, a BatchGetItem's). */
  pageSize?: number;
  /** Oldest first (what the sweeper walks from its watermark). @default newest first */
  oldestFirst?: boolean;
}

/**
 * The index entries (keys only: `pk` and `receivedAtMs`) of the events received in `[sinceMs, untilMs]`, newest
 * first across the shards (oldest first with `oldestFirst`), in batches of up to 100: Queries only, never a Scan, and no state read. An event's
 * provider and id, and so its Idempotency-Key, follow from its `pk`: a key is found by walking this.
 */
export async function* walkIndex(
  table: EventsTable,
  shards: IndexShardCounts,
  walk: IndexWalk,
): AsyncGenerator<IndexKey[]> {
  const indexName = walk.problem === undefined ? LIST_INDEX_NAME : PROBLEM_INDEX_NAME;
  const values = walk.problem === undefined ? listShardValues(shards) : problemShardValues(walk.problem, shards);
  const cursors: ShardCursor[] = values.map((shard) => ({ shard, buffered: [], exhausted: false }));
  const pageSize = Math.min(Math.max(walk.pageSize ?? BATCH_GET_MAX_KEYS, 1), BATCH_GET_MAX_KEYS);
  for (;;) {
    await Promise.all(
      cursors
        .filter((cursor) => cursor.buffered.length === 0 && !cursor.exhausted)
        .map((cursor) => readPage(table, indexName, cursor, walk, pageSize)),
    );
    const batch = takeNext(cursors, BATCH_GET_MAX_KEYS, walk.oldestFirst === true);
    if (batch.length === 0) return;
    yield batch;
  }
}

async function readPage(
  table: EventsTable,
  indexName: string,
  cursor: ShardCursor,
  query: Pick<IndexWalk, "sinceMs" | "untilMs" | "oldestFirst">,
  pageSize: number,
): Promise<void> {
  const page = await table.client.send(
    new QueryCommand({
      TableName: table.tableName,
      IndexName: indexName,
      KeyConditionExpression: "#shard = :shard AND #receivedAtMs BETWEEN :since AND :until",
      ExpressionAttributeNames: {
        "#shard": EVENTS_INDEXES[indexName as keyof typeof EVENTS_INDEXES],
        "#receivedAtMs": "receivedAtMs",
      },
      ExpressionAttributeValues: {
        ":shard": { S: cursor.shard },
        ":since": { N: String(query.sinceMs) },
        ":until": { N: String(query.untilMs) },
      },
      ScanIndexForward: query.oldestFirst === true,
      Limit: pageSize,
      ExclusiveStartKey: cursor.startKey,
    }),
  );
  for (const item of page.Items ?? []) {
    const { pk, receivedAtMs } = unmarshall(item) as IndexKey;
    cursor.buffered.push({ pk, receivedAtMs });
  }
  cursor.startKey = page.LastEvaluatedKey;
  cursor.exhausted = page.LastEvaluatedKey === undefined;
}

/**
 * Up to `max` entries, newest first across the shards (oldest first with `oldestFirst`). It stops early when a shard
 * whose buffer ran out still has pages: that shard's next entry may come before any other's, so the merge must read
 * it first.
 */
function takeNext(cursors: ShardCursor[], max: number, oldestFirst: boolean): IndexKey[] {
  const direction = oldestFirst ? -1 : 1;
  const taken: IndexKey[] = [];
  while (taken.length < max) {
    if (cursors.some((cursor) => cursor.buffered.length === 0 && !cursor.exhausted)) break;
    let first: ShardCursor | undefined;
    for (const cursor of cursors) {
      const head = cursor.buffered[0];
      if (head === undefined) continue;
      const best = first?.buffered[0];
      const order =
        best === undefined ? 1 : Math.sign(head.receivedAtMs - best.receivedAtMs) || (head.pk > best.pk ? 1 : -1);
      if (best === undefined || order * direction > 0) first = cursor;
    }
    const next = first?.buffered.shift();
    if (next === undefined) break;
    taken.push(next);
  }
  return taken;
}

/**
 * The state items of `keys`, in the order of `keys` (one BatchGetItem, eventually consistent, its unprocessed keys
 * retried); an expired event is left out.
 */
export async function statesOf(table: EventsTable, keys: IndexKey[]): Promise<EventState[]> {
  const byPk = new Map<string, EventState>();
  let pending: Record<string, AttributeValue>[] = keys.map(({ pk }) => stateKey(pk));
  for (let round = 0; pending.length > 0; round++) {
    if (round > UNPROCESSED_RETRIES) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
    if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
    const output = await table.client.send(
      new BatchGetItemCommand({ RequestItems: { [table.tableName]: { Keys: pending } } }),
    );
    for (const item of output.Responses?.[table.tableName] ?? []) {
      const state = unmarshall(item) as EventState;
      byPk.set(state.pk, state);
    }
    pending = output.UnprocessedKeys?.[table.tableName]?.Keys ?? [];
  }
  return keys.flatMap(({ pk }) => {
    const state = byPk.get(pk);
    return state === undefined ? [] : [state];
  });
}
