import type { IntakeBenchData } from "../intakeBenchmark.ts";
import type { RequestsPerUnit } from "../requestCounter.ts";
import { readResult } from "../results.ts";
import type { SizeCapacity } from "./measuredCapacity.ts";

/**
 * Everything the cost model takes from measurements: durations and log line sizes (from the intake benchmark), and
 * counted requests, item sizes and consumed capacity at each body size (measured by `bench:cost` itself against
 * DynamoDB Local, `measuredCapacity`).
 */
export interface CostInputs {
  /** Where the durations and log line sizes come from: a results file (with its date) or the defaults below. */
  source: string;
  /** Body size of the base scenario. */
  bodyBytes: number;
  intake: { accepted: StepInputs; duplicate: StepInputs };
  delivery: { retried: StepInputs; delivered: StepInputs };
  /**
   * Per body size: the requests each step made, the size of every item when a write was billed on it, and the
   * capacity DynamoDB Local reported, which the model must reproduce.
   */
  capacity: SizeCapacity[];
}

/** One kind of Lambda invocation: its AWS requests (counted), its duration and its log line. */
export interface StepInputs {
  requests: RequestsPerUnit;
  /** Mean handler duration, ms (billed per invocation, rounded up to the ms). */
  durationMs: number;
  logBytes: number;
}

/** Durations and log lines of one step, as the intake benchmark measured them. */
type Timing = Omit<StepInputs, "requests">;

/**
 * Defaults when no `bench/results/intake.json` exists: the durations and log lines of the run committed with this
 * model (2 KB Stripe events, one destination, Node 24 on the 2-core benchmark machine). Re-run `npm run
 * bench:intake` rather than editing them.
 */
export const DEFAULT_TIMINGS: {
  source: string;
  steps: Record<"accepted" | "duplicate" | "retried" | "delivered", Timing>;
} = {
  source: "documented defaults (bench/cost/costInputs.ts)",
  steps: {
    accepted: { durationMs: 7.1, logBytes: 284 },
    duplicate: { durationMs: 2.2, logBytes: 269 },
    retried: { durationMs: 13.6, logBytes: 282 },
    delivered: { durationMs: 15.7, logBytes: 250 },
  },
};

/** The timings of `<resultsDir>/intake.json` when a run wrote it, else {@link DEFAULT_TIMINGS}. */
export function readTimings(resultsDir: string): typeof DEFAULT_TIMINGS {
  const result = readResult<IntakeBenchData>(resultsDir, "intake");
  if (result === undefined) return DEFAULT_TIMINGS;
  const { scenarios, capacity, delivery } = result.data;
  const sequential = (kind: "accepted" | "duplicate") => {
    const scenario = scenarios.find((s) => s.kind === kind && s.concurrency === 1);
    if (scenario === undefined) throw new Error(`intake.json has no sequential ${kind} scenario`);
    return scenario.contenders.intake.latency.mean;
  };
  return {
    source: `measured: ${result.benchmark}.json of ${result.generatedAt} (${result.command})`,
    steps: {
      accepted: { durationMs: sequential("accepted"), logBytes: capacity.intake.logBytesPerAccepted },
      duplicate: { durationMs: sequential("duplicate"), logBytes: capacity.intake.logBytesPerDuplicate },
      retried: {
        durationMs: delivery.retriedAttempt.handlerMsMean,
        logBytes: delivery.retriedAttempt.logBytesPerAttempt,
      },
      delivered: {
        durationMs: delivery.deliveredAttempt.handlerMsMean,
        logBytes: delivery.deliveredAttempt.logBytesPerAttempt,
      },
    },
  };
}

/** The model's inputs: the timings, and the requests and capacity measured at `bodyBytes` (one of the sizes). */
export function costInputs(timings: typeof DEFAULT_TIMINGS, capacity: SizeCapacity[], bodyBytes: number): CostInputs {
  const base = capacityAt(capacity, bodyBytes);
  const { steps } = timings;
  return {
    source: timings.source,
    bodyBytes,
    intake: {
      accepted: { requests: base.accepted.requests, ...steps.accepted },
      duplicate: { requests: base.duplicate.requests, ...steps.duplicate },
    },
    delivery: {
      retried: { requests: base.retried.requests, ...steps.retried },
      delivered: { requests: base.firstTry.requests, ...steps.delivered },
    },
    capacity,
  };
}

/** What was measured at `bodyBytes`. @throws Error when that size was not measured */
export function capacityAt(capacity: readonly SizeCapacity[], bodyBytes: number): SizeCapacity {
  const found = capacity.find((size) => size.bodyBytes === bodyBytes);
  if (found === undefined) throw new Error(`no capacity measured for ${bodyBytes}-byte bodies`);
  return found;
}
