/**
 * How many partition key values ("shards") each index of the events table spreads its entries over, and which one
 * an event's entry goes to. Pure: no AWS imports.
 *
 * An index whose partition key has one value and whose sort key grows with time (`receivedAtMs`) puts every new
 * entry in the same partition, and DynamoDB serves a partition at most {@link PARTITION_LIMITS}. An index that
 * throttles throttles the table writes that feed it: one partition value caps the gateway near 500 events/s when
 * every event writes that index twice (as the sweep index, since dropped, did). So each index's partition key is `<prefix>#<n>`, `n` derived from the
 * event's `pk` by a hash (a retried write lands in the same shard), and the count is derived from the configured
 * peak rate and how many entries one accepted event writes on that index. Readers query every shard.
 */

/** DynamoDB's published throughput limit of one partition, per second. */
export const PARTITION_LIMITS = { writeUnitsPerSecond: 1_000, readUnitsPerSecond: 3_000 } as const;

/**
 * Share of a partition's limit one shard is planned to reach at the peak: a hash spreads entries evenly only on
 * average, and the peak itself bursts. Half leaves a 2× margin for both.
 */
export const SHARD_TARGET_UTILISATION = 0.5;

/**
 * Index entries one accepted event writes on each index at most, each a keys-only entry well under 1 KB (1 write
 * unit). list: on acceptance only (its keys never change). problem: when the event becomes FAILED or DEAD, and when
 * a redrive takes it out again (worst case: every event).
 */
export const INDEX_WRITES_PER_EVENT = { list: 1, problem: 2 } as const;

/**
 * Index read units per accepted event. list: the sweeper reads every entry once, a keys-only entry of about 100
 * bytes in an eventually consistent Query (0.5 unit per 4 KB): 1/80 of a unit. Operators read far less.
 */
const INDEX_READ_UNITS_PER_EVENT = { list: 1 / 80, problem: 0 } as const;

export type ShardedIndex = keyof typeof INDEX_WRITES_PER_EVENT;

/** Shards per index. */
export type IndexShardCounts = Record<ShardedIndex, number>;

/** The configured peak when none is given (`peakEventsPerSecond`). */
export const DEFAULT_PEAK_EVENTS_PER_SECOND = 1_000;

/** Shards of one index carrying `writeUnitsPerSecond` and `readUnitsPerSecond` at the peak, at least 1. */
export function shardsFor(writeUnitsPerSecond: number, readUnitsPerSecond = 0): number {
  const writes = writeUnitsPerSecond / (PARTITION_LIMITS.writeUnitsPerSecond * SHARD_TARGET_UTILISATION);
  const reads = readUnitsPerSecond / (PARTITION_LIMITS.readUnitsPerSecond * SHARD_TARGET_UTILISATION);
  return Math.max(1, Math.ceil(writes), Math.ceil(reads));
}

/**
 * The shard count of every index for a peak of `peakEventsPerSecond` accepted events: 2 (list) / 4 (problem) at
 * 1 000 events/s, 20 / 40 at 10 000.
 */
export function indexShardCounts(peakEventsPerSecond: number): IndexShardCounts {
  const counts = {} as IndexShardCounts;
  for (const index of Object.keys(INDEX_WRITES_PER_EVENT) as ShardedIndex[]) {
    counts[index] = shardsFor(
      peakEventsPerSecond * INDEX_WRITES_PER_EVENT[index],
      peakEventsPerSecond * INDEX_READ_UNITS_PER_EVENT[index],
    );
  }
  return counts;
}

/** The most events per second the shards of `counts` carry within their planned utilisation. */
export function sustainedEventsPerSecond(counts: IndexShardCounts): number {
  const perShard = PARTITION_LIMITS.writeUnitsPerSecond * SHARD_TARGET_UTILISATION;
  return Math.min(
    ...(Object.keys(counts) as ShardedIndex[]).map(
      (index) => (counts[index] * perShard) / INDEX_WRITES_PER_EVENT[index],
    ),
  );
}

/**
 * The shard of `pk` among `count`: FNV-1a (32 bits) of its UTF-8 bytes, modulo `count`. Deterministic, so every
 * write of one event (a retried put, a duplicate's, the delivery's) names the same shard.
 */
export function shardOf(pk: string, count: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(pk)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % count;
}

/** The listing index's partition value of `pk` (`l#<n>`), set at acceptance and never changed. */
export function listShardOf(pk: string, counts: IndexShardCounts): string {
  return `l#${shardOf(pk, counts.list)}`;
}

/** The statuses the sparse problem index holds. */
export type ProblemStatus = "FAILED" | "DEAD";

const PROBLEM_PREFIX: Record<ProblemStatus, string> = { FAILED: "f", DEAD: "d" };

/**
 * The problem index's partition value of `pk` for `status` (`f#<n>` or `d#<n>`): the status is in the partition
 * value, so listing the FAILED (or the DEAD) events is a Query, not a filter.
 */
export function problemShardOf(pk: string, status: ProblemStatus, counts: IndexShardCounts): string {
  return `${PROBLEM_PREFIX[status]}#${shardOf(pk, counts.problem)}`;
}

/** Every partition value of the listing index: what a reader queries. */
export function listShardValues(counts: IndexShardCounts): string[] {
  return Array.from({ length: counts.list }, (_, n) => `l#${n}`);
}

/** Every partition value of the problem index for `status`. */
export function problemShardValues(status: ProblemStatus, counts: IndexShardCounts): string[] {
  return Array.from({ length: counts.problem }, (_, n) => `${PROBLEM_PREFIX[status]}#${n}`);
}
