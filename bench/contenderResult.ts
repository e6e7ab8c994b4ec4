import type { ContenderSamples } from "./interleavedRounds.ts";
import { type RequestsPerUnit, requestsPerUnit } from "./requestCounter.ts";
import { type LatencySummary, median, summarize } from "./stats.ts";

/** What a scenario reports about one contender: latency, throughput, and AWS requests per invocation. */
export interface ContenderResult {
  latency: LatencySummary;
  /** Median over rounds of invocations per second (meaningful at concurrency > 1). */
  throughputPerSec: number;
  requests: RequestsPerUnit;
}

/** Combines a contender's timed samples with the calls its client made during the same scenario. */
export function contenderResult(samples: ContenderSamples, calls: readonly string[]): ContenderResult {
  const latency = summarize(samples.samples);
  return {
    latency,
    throughputPerSec: median(samples.roundThroughputs),
    requests: requestsPerUnit(calls, latency.count),
  };
}
