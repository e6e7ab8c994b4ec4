import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import type { IndexKey } from "../../../../lambdas/shared/eventListing.ts";
import { nextWatermark, type SweepOutcome, walkAbandoned } from "../../../../lambdas/sweeper/sweepWalk.ts";

/**
 * The sweeper's walk against a small model: events in a listing index, some never enqueued (their intake died, or
 * SQS refused them), and sweeps at rising cut-offs that fail the way AWS does (a requeue's SQS call or state read
 * refused, a batch read throttled, the index Query failing mid-walk), or run out of budget. The one property that
 * matters: no event is left RECEIVED behind the watermark, since no later sweep looks there again.
 */

interface ModelEvent {
  pk: string;
  receivedAtMs: number;
  status: "RECEIVED" | "QUEUED";
}

interface SweepFaults {
  /** Requeues (by call number) that fail: the event stays RECEIVED. */
  failedCalls: Set<number>;
  /** The batch read of this batch number throws. */
  failedBatchRead?: number;
  /** The index throws when asked for this batch number. */
  failedIndexAt?: number;
  maxRequeued: number;
  /** outOfTime says yes from its n-th question on. */
  outOfTimeAfter?: number;
  batchSize: number;
}

async function* indexBatches(
  events: ModelEvent[],
  window: { sinceMs: number; untilMs: number },
  faults: SweepFaults,
): AsyncGenerator<IndexKey[]> {
  const entries = events
    .filter((e) => e.receivedAtMs >= window.sinceMs && e.receivedAtMs < window.untilMs)
    .sort((a, b) => a.receivedAtMs - b.receivedAtMs || (a.pk < b.pk ? -1 : 1))
    .map(({ pk, receivedAtMs }) => ({ pk, receivedAtMs }));
  for (let start = 0, n = 0; start < entries.length; start += faults.batchSize, n++) {
    if (n === faults.failedIndexAt) throw Object.assign(new Error("throttled"), { name: "ThrottlingException" });
    yield entries.slice(start, start + faults.batchSize);
  }
}

async function sweep(events: ModelEvent[], watermarkMs: number, untilMs: number, faults: SweepFaults) {
  const byPk = new Map(events.map((e) => [e.pk, e]));
  let calls = 0;
  let batchReads = 0;
  let timeQuestions = 0;
  const window = { sinceMs: watermarkMs, untilMs };
  return walkAbandoned({
    window,
    batches: indexBatches(events, window, faults),
    stillReceived: async (keys) => {
      if (batchReads++ === faults.failedBatchRead) {
        throw Object.assign(new Error("throttled"), { name: "ProvisionedThroughputExceededException" });
      }
      return keys.filter((key) => byPk.get(key.pk)?.status === "RECEIVED");
    },
    sweepOne: async (key): Promise<SweepOutcome> => {
      const event = byPk.get(key.pk);
      if (event === undefined || event.status !== "RECEIVED") return "skipped";
      if (faults.failedCalls.has(calls++)) return "failed";
      event.status = "QUEUED";
      return "requeued";
    },
    concurrency: 3,
    maxRequeued: faults.maxRequeued,
    outOfTime: () => faults.outOfTimeAfter !== undefined && timeQuestions++ >= faults.outOfTimeAfter,
  });
}

const eventsArb = fc
  .array(fc.record({ receivedAtMs: fc.integer({ min: 0, max: 60 }), enqueued: fc.boolean() }), { maxLength: 40 })
  .map((rows) =>
    rows.map(({ receivedAtMs, enqueued }, n) => ({
      pk: `stripe#evt_${String(n).padStart(3, "0")}`,
      receivedAtMs,
      status: enqueued ? ("QUEUED" as const) : ("RECEIVED" as const),
    })),
  );

const faultsArb: fc.Arbitrary<SweepFaults> = fc.record({
  failedCalls: fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 5 }).map((calls) => new Set(calls)),
  failedBatchRead: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  failedIndexAt: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  maxRequeued: fc.integer({ min: 1, max: 50 }),
  outOfTimeAfter: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
  batchSize: fc.integer({ min: 1, max: 7 }),
});

const CALM: SweepFaults = { failedCalls: new Set(), maxRequeued: 1_000, batchSize: 100 };

describe("walkAbandoned against a model", () => {
  test("never leaves a RECEIVED event behind the watermark, whatever fails; one calm sweep then finishes (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        eventsArb,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), faultsArb), { minLength: 1, maxLength: 6 }),
        async (events, runs) => {
          let watermarkMs = 0;
          let untilMs = 0;
          for (const [advance, faults] of runs) {
            untilMs += advance;
            const result = await sweep(events, watermarkMs, untilMs, faults);
            expect(result.watermarkMs).toBeGreaterThanOrEqual(watermarkMs);
            expect(result.watermarkMs).toBeLessThanOrEqual(Math.max(watermarkMs, untilMs));
            expect(result.requeued + result.skipped + result.failed + result.bodyMissing).toBe(result.found);
            expect(result.found).toBeLessThanOrEqual(result.examined);
            expect(result.requeued).toBeLessThanOrEqual(faults.maxRequeued);
            watermarkMs = result.watermarkMs;
            const behind = events.filter((e) => e.receivedAtMs < watermarkMs && e.status === "RECEIVED");
            expect(behind).toEqual([]);
          }
          const last = await sweep(events, watermarkMs, untilMs, CALM);
          expect(last.completed).toBe(true);
          expect(last.watermarkMs).toBe(Math.max(watermarkMs, untilMs));
          expect(events.filter((e) => e.receivedAtMs < untilMs && e.status === "RECEIVED")).toEqual([]);
        },
      ),
      { seed: 20261202, numRuns: 300 },
    );
  });

  test("stops at the first event it did not hand over when maxRequeued is reached mid-batch", async () => {
    const events: ModelEvent[] = [1, 2, 3, 4].map((ms) => ({ pk: `p${ms}`, receivedAtMs: ms, status: "RECEIVED" }));
    const result = await sweep(events, 0, 10, { ...CALM, maxRequeued: 2 });
    expect(result).toMatchObject({ examined: 4, found: 2, requeued: 2, completed: false, watermarkMs: 3 });
    expect(events.map((e) => e.status)).toEqual(["QUEUED", "QUEUED", "RECEIVED", "RECEIVED"]);
  });

  test("names the error that stopped it and keeps what it got through", async () => {
    const events: ModelEvent[] = [1, 2, 3].map((ms) => ({ pk: `p${ms}`, receivedAtMs: ms, status: "RECEIVED" }));
    const result = await sweep(events, 0, 10, { ...CALM, batchSize: 1, failedIndexAt: 2 });
    expect(result).toMatchObject({ requeued: 2, completed: false, error: "ThrottlingException", watermarkMs: 2 });
  });
});

describe("nextWatermark", () => {
  test("is the window's end when walked whole, the stopping instant otherwise, never past a failure", () => {
    const window = { sinceMs: 100, untilMs: 200 };
    expect(nextWatermark(window, { completed: true, resumeAtMs: 150 })).toBe(200);
    expect(nextWatermark(window, { completed: false, resumeAtMs: 150 })).toBe(150);
    expect(nextWatermark(window, { completed: false })).toBe(100);
    expect(nextWatermark(window, { completed: true, firstFailedMs: 120 })).toBe(120);
    expect(nextWatermark(window, { completed: false, resumeAtMs: 150, firstFailedMs: 170 })).toBe(150);
  });
});
