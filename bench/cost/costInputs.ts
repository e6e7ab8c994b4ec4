import type { DeliveryPassResult } from "../intake/deliveryPass.ts";
import type { IntakeBenchData } from "../intakeBenchmark.ts";
import type { RequestsPerUnit } from "../requestCounter.ts";
import { readResult } from "../results.ts";

/** Everything the cost model takes from measurements: counted requests, item sizes, durations, log line sizes. */
export interface CostInputs {
  /** Where the numbers come from: a results file (with its date) or the defaults below. */
  source: string;
  /** Body size the item sizes were measured at. */
  bodyBytes: number;
  /** Stored event item minus its body: keys, status, headers, destination state. */
  itemOverheadBytes: number;
  /** What each delivery attempt adds to the item (attempt log entry, destination state). */
  attemptGrowthBytes: number;
  intake: { accepted: StepInputs; duplicate: StepInputs };
  delivery: { retried: StepInputs; delivered: StepInputs };
  /**
   * Capacity units DynamoDB Local reported in the benchmark's untimed pass (one retried then one delivered attempt
   * per job), which the model must reproduce at the measured body size. Absent with the defaults.
   */
  measured?: { acceptedWriteUnits: number; deliveryWriteUnits: number; deliveryReadUnits: number };
}

/** One kind of Lambda invocation: its AWS requests (counted), its duration and its log line. */
export interface StepInputs {
  requests: RequestsPerUnit;
  /** Mean handler duration, ms (billed per invocation, rounded up to the ms). */
  durationMs: number;
  logBytes: number;
}

/**
 * Defaults when no `bench/results/intake.json` exists: the numbers of the run committed with this model
 * (2 KB Stripe events, one destination, Node 24 on the 2-core benchmark machine). Re-run `npm run bench:intake`
 * rather than editing them.
 */
export const DEFAULT_COST_INPUTS: CostInputs = {
  source: "documented defaults (bench/cost/costInputs.ts)",
  bodyBytes: 2048,
  itemOverheadBytes: 497,
  attemptGrowthBytes: 137,
  intake: {
    accepted: {
      requests: { total: 3, byApi: { PutItem: 1, SendMessageBatch: 1, UpdateItem: 1 } },
      durationMs: 7.1,
      logBytes: 284,
    },
    duplicate: { requests: { total: 1, byApi: { PutItem: 1 } }, durationMs: 2.2, logBytes: 269 },
  },
  delivery: {
    retried: {
      requests: { total: 3, byApi: { GetItem: 1, UpdateItem: 1, ChangeMessageVisibility: 1 } },
      durationMs: 13.6,
      logBytes: 282,
    },
    delivered: {
      requests: { total: 3, byApi: { GetItem: 1, UpdateItem: 2 } },
      durationMs: 15.7,
      logBytes: 250,
    },
  },
};

/** The inputs from `<resultsDir>/intake.json` when a run wrote it, else {@link DEFAULT_COST_INPUTS}. */
export function readCostInputs(resultsDir: string): CostInputs {
  const result = readResult<IntakeBenchData>(resultsDir, "intake");
  if (result === undefined) return DEFAULT_COST_INPUTS;
  const { scenarios, capacity, delivery } = result.data;
  const sequential = (kind: "accepted" | "duplicate") => {
    const scenario = scenarios.find((s) => s.kind === kind && s.concurrency === 1);
    if (scenario === undefined) throw new Error(`intake.json has no sequential ${kind} scenario`);
    return scenario.contenders.intake;
  };
  const accepted = sequential("accepted");
  const duplicate = sequential("duplicate");
  return {
    source: `measured: ${result.benchmark}.json of ${result.generatedAt} (${result.command})`,
    bodyBytes: capacity.bodyBytes,
    itemOverheadBytes: capacity.intake.itemBytes - capacity.bodyBytes,
    attemptGrowthBytes: Math.max(0, (delivery.itemBytesAfter - capacity.intake.itemBytes) / 2),
    intake: {
      accepted: {
        requests: accepted.requests,
        durationMs: accepted.latency.mean,
        logBytes: capacity.intake.logBytesPerAccepted,
      },
      duplicate: {
        requests: duplicate.requests,
        durationMs: duplicate.latency.mean,
        logBytes: capacity.intake.logBytesPerDuplicate,
      },
    },
    delivery: { retried: attemptInputs(delivery.retriedAttempt), delivered: attemptInputs(delivery.deliveredAttempt) },
    measured: {
      acceptedWriteUnits: capacity.intake.perAccepted.tableWriteUnits + capacity.intake.perAccepted.indexWriteUnits,
      deliveryWriteUnits: [delivery.retriedAttempt, delivery.deliveredAttempt]
        .map(({ capacity: units }) => units.tableWriteUnits + units.indexWriteUnits)
        .reduce((sum, units) => sum + units, 0),
      deliveryReadUnits: delivery.retriedAttempt.capacity.readUnits + delivery.deliveredAttempt.capacity.readUnits,
    },
  };
}

function attemptInputs(attempt: DeliveryPassResult["retriedAttempt"]): StepInputs {
  return { requests: attempt.requests, durationMs: attempt.handlerMsMean, logBytes: attempt.logBytesPerAttempt };
}
