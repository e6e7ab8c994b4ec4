import { median } from "../stats.ts";

/** How long one run of an operation takes, in microseconds: the median over repeated runs. */
export interface OperationTiming {
  medianUs: number;
  runs: number;
}

/**
 * Runs `operation` once to warm up, then until `budgetMs` have passed and at least `minRuns` runs were made;
 * the median run, so a collection pause or a busy neighbour moves it little.
 */
export function timeOperation(operation: () => unknown, budgetMs: number, minRuns: number): OperationTiming {
  operation();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < budgetMs) {
    const before = performance.now();
    operation();
    samples.push((performance.now() - before) * 1000);
  }
  return { medianUs: median(samples), runs: samples.length };
}
