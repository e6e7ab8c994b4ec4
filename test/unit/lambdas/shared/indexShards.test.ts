import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { eventPartitionKey } from "../../../../lambdas/shared/eventKey.ts";
import {
  INDEX_WRITES_PER_EVENT,
  indexShardCounts,
  listShardOf,
  listShardValues,
  PARTITION_LIMITS,
  problemShardOf,
  problemShardValues,
  shardOf,
  shardsFor,
  sustainedEventsPerSecond,
} from "../../../../lambdas/shared/indexShards.ts";

describe("index shard counts", () => {
  test("gives 2 listing and 4 problem shards at the default 1 000 events/s", () => {
    expect(indexShardCounts(1_000)).toEqual({ list: 2, problem: 4 });
  });

  test("gives 20 listing and 40 problem shards at 10 000 events/s", () => {
    expect(indexShardCounts(10_000)).toEqual({ list: 20, problem: 40 });
  });

  test("keeps every shard at half of DynamoDB's 1 000 write units per second per partition at the peak", () => {
    for (const peak of [1, 10, 499, 500, 1_000, 2_345, 10_000, 100_000]) {
      const counts = indexShardCounts(peak);
      for (const index of Object.keys(counts) as (keyof typeof counts)[]) {
        const perShard = (peak * INDEX_WRITES_PER_EVENT[index]) / counts[index];
        expect(perShard).toBeLessThanOrEqual(PARTITION_LIMITS.writeUnitsPerSecond / 2);
      }
      expect(sustainedEventsPerSecond(counts)).toBeGreaterThanOrEqual(peak);
    }
  });

  test("needs one shard only for a trickle, and counts reads against 3 000 read units per partition", () => {
    expect(indexShardCounts(1)).toEqual({ list: 1, problem: 1 });
    expect(shardsFor(0, 0)).toBe(1);
    expect(shardsFor(0, 6_000)).toBe(4);
    // One partition per index: the problem index's two writes per event cap it at 500 events/s at full partition
    // use (as the one-partition sweep index of before did), 250 at the planned half.
    expect(sustainedEventsPerSecond({ list: 1, problem: 1 })).toBe(250);
  });
});

describe("choosing a shard", () => {
  test("puts every write of one event in the same shard, whatever call makes it (property)", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.integer({ min: 1, max: 400 }), (id, count) => {
        const pk = eventPartitionKey("stripe", id.toWellFormed());
        const shard = shardOf(pk, count);
        expect(shardOf(pk, count)).toBe(shard);
        expect(shard).toBeGreaterThanOrEqual(0);
        expect(shard).toBeLessThan(count);
      }),
    );
  });

  test("spreads event keys evenly: each of 40 shards within 10 % of the mean over 40 000 events", () => {
    const counts = new Array(40).fill(0);
    for (let n = 0; n < 40_000; n++) counts[shardOf(eventPartitionKey("stripe", `evt_${n}`), 40)] += 1;
    for (const count of counts) expect(Math.abs(count - 1_000)).toBeLessThan(100);
  });

  test("names partition values the readers query: l#n, f#n and d#n", () => {
    const counts = indexShardCounts(1_000);
    const pk = eventPartitionKey("github", "101:72d3162e");
    expect(listShardValues(counts)).toContain(listShardOf(pk, counts));
    expect(problemShardValues("FAILED", counts)).toContain(problemShardOf(pk, "FAILED", counts));
    expect(problemShardValues("DEAD", counts)).toContain(problemShardOf(pk, "DEAD", counts));
    expect(listShardValues(counts)).toEqual(["l#0", "l#1"]);
    expect(problemShardValues("DEAD", counts)).toEqual(["d#0", "d#1", "d#2", "d#3"]);
  });
});
