import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ensureMetricCountersTable, metricCounterSink, metricCountersSource } from "../../../local/metricCounters.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";

/**
 * The local stand-in for CloudWatch: counts summed in memory, written per minute on DynamoDB Local, read back per
 * bucket by another client (as `oncegate console --local`, another process, does).
 */
const ddb = localClient();
const reader = localClient();
let table: string;
beforeAll(async () => {
  table = `metrics-${randomUUID().slice(0, 8)}`;
  await ensureMetricCountersTable(ddb, table);
  await ensureMetricCountersTable(ddb, table); // a restarted stack finds it there
});
afterAll(async () => {
  await deleteTable(ddb, table);
  ddb.destroy();
  reader.destroy();
});

const T0 = Date.UTC(2026, 11, 3, 10, 0);

describe("the local metric counters", () => {
  test("counts per minute, summed per bucket, each metric apart; outside the window nothing", async () => {
    let now = T0 + 5_000;
    const sink = metricCounterSink(ddb, table, { nowMs: () => now, flushEveryMs: 60_000 });
    for (let n = 0; n < 3; n++) sink.count("Duplicate");
    sink.count("Accepted");
    now = T0 + 61_000;
    sink.count("Duplicate");
    sink.count("Delivered");
    await sink.flush();
    now = T0 + 16 * 60_000; // the next quarter hour
    sink.count("Duplicate");
    await sink.stop(); // writes the rest
    const source = metricCountersSource(reader, table);
    const minutes = await source.counts({ sinceMs: T0, untilMs: T0 + 3 * 60_000, bucketMs: 60_000 });
    expect(minutes).toEqual({
      Accepted: [1, 0, 0],
      Duplicate: [3, 1, 0],
      Delivered: [0, 1, 0],
      Failed: [0, 0, 0],
      Dead: [0, 0, 0],
      Unrouted: [0, 0, 0],
    });
    const quarters = await source.counts({ sinceMs: T0, untilMs: T0 + 30 * 60_000, bucketMs: 15 * 60_000 });
    expect(quarters.Duplicate).toEqual([4, 1]);
    // Flushed twice into the same minute: added, not overwritten.
    const again = metricCounterSink(ddb, table, { nowMs: () => T0 + 1_000, flushEveryMs: 60_000 });
    again.count("Accepted");
    await again.stop();
    expect((await source.counts({ sinceMs: T0, untilMs: T0 + 60_000, bucketMs: 60_000 })).Accepted).toEqual([2]);
  });

  test("a write DynamoDB refuses is kept and written at the next flush: nothing counted is lost", async () => {
    const flaky = localClient();
    let refuse = 1;
    flaky.middlewareStack.add(
      (next) => async (args) => {
        if (refuse > 0) {
          refuse -= 1;
          throw Object.assign(new Error("injected: throttled"), { name: "ThrottlingException", $metadata: {} });
        }
        return next(args);
      },
      { step: "initialize", name: "refuseOnce" },
    );
    const errors: unknown[] = [];
    const at = T0 + 10 * 60_000;
    const sink = metricCounterSink(flaky, table, {
      nowMs: () => at,
      flushEveryMs: 60_000,
      onError: (error) => errors.push(error),
    });
    sink.count("Dead");
    sink.count("Dead");
    await sink.flush();
    expect(errors).toHaveLength(1);
    await sink.stop();
    const counts = await metricCountersSource(reader, table).counts({
      sinceMs: at,
      untilMs: at + 60_000,
      bucketMs: 60_000,
    });
    expect(counts.Dead).toEqual([2]);
    flaky.destroy();
  });
});
