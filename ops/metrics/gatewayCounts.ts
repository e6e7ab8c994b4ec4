import { GATEWAY_METRICS, type GatewayMetric } from "../../lambdas/shared/metrics.ts";

/**
 * The gateway's own counts over time (`Accepted`, `Duplicate`, `Delivered`, `Failed`, `Dead`, as the Lambdas count
 * them: `lambdas/shared/metrics.ts`), where the events table cannot tell them: a duplicate is not an event, and a
 * delivery's outcome is counted when it happened, not by the status an event has now. CloudWatch keeps them on AWS
 * (`cloudWatchCounts`), a table of per-minute counters on the local stack (`local/metricCounters.ts`).
 */

/** The buckets asked for: `[sinceMs, untilMs)` in steps of `bucketMs` (a whole number of minutes). */
export interface MetricWindow {
  sinceMs: number;
  untilMs: number;
  bucketMs: number;
}

/** Each metric's count per bucket, oldest first: `bucketStarts(window)`'s length. */
export type GatewayCounts = Record<GatewayMetric, number[]>;

/** Where a target's counts come from. */
export interface GatewayCountSource {
  /** Said under the chart: where the numbers were read. */
  label: string;
  counts(window: MetricWindow): Promise<GatewayCounts>;
}

/** The start of each bucket of `window`, oldest first (at least one). */
export function bucketStarts(window: MetricWindow): number[] {
  const count = Math.max(1, Math.ceil((window.untilMs - window.sinceMs) / window.bucketMs));
  return Array.from({ length: count }, (_, index) => window.sinceMs + index * window.bucketMs);
}

/** Every metric at zero in every bucket of `window`. */
export function emptyCounts(window: MetricWindow): GatewayCounts {
  const length = bucketStarts(window).length;
  return Object.fromEntries(
    GATEWAY_METRICS.map((metric) => [metric, new Array<number>(length).fill(0)]),
  ) as GatewayCounts;
}

/** Adds `count` of `metric` at `atMs` to its bucket; a time outside the window is left out. */
export function addCount(
  counts: GatewayCounts,
  window: MetricWindow,
  metric: GatewayMetric,
  atMs: number,
  count: number,
): void {
  if (atMs < window.sinceMs || atMs >= window.untilMs) return;
  const index = Math.floor((atMs - window.sinceMs) / window.bucketMs);
  const series = counts[metric];
  if (series[index] !== undefined) series[index] += count;
}
