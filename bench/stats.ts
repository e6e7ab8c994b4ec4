/** Summary statistics of latency samples, in milliseconds. Pure. */

/** The nearest-rank percentile `p` (0–100) of samples sorted ascending; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** The median of any samples (sorted here). */
export function median(samples: readonly number[]): number {
  return percentile(sortedCopy(samples), 50);
}

export function mean(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  let sum = 0;
  for (const sample of samples) sum += sample;
  return sum / samples.length;
}

/** What every latency table reports about one set of samples. */
export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = sortedCopy(samples);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: mean(sorted) };
}

function sortedCopy(samples: readonly number[]): number[] {
  return [...samples].sort((a, b) => a - b);
}
