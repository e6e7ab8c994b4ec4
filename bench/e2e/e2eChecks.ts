import type { StormTally } from "../../local/chaosStorm.ts";
import type { LocalStats } from "../../local/stackStats.ts";

/** What the run must show to count: every event accepted once and delivered to the handler exactly once. */
export interface E2eExpectation {
  events: number;
  copies: number;
}

/**
 * Everything that is wrong with a run, one sentence each; empty when every event was accepted once, every copy
 * after the first answered as a duplicate, and `/stats` shows each event delivered exactly once. Pure.
 */
export function e2eProblems(expected: E2eExpectation, tally: StormTally, stats: LocalStats, settled: boolean) {
  const { events, copies } = expected;
  const problems: string[] = [];
  const expect = (what: string, actual: number, wanted: number) => {
    if (actual !== wanted) problems.push(`${what} is ${actual}, expected ${wanted}`);
  };
  if (!settled) problems.push("delivery did not settle before the timeout");
  expect("requests sent", tally.sent, events * copies);
  expect("accepted (202)", tally.accepted, events);
  expect("duplicates (200)", tally.duplicates, events * (copies - 1));
  if (tally.errors > 0) problems.push(`${tally.errors} request(s) failed: ${JSON.stringify(tally.errorKinds)}`);
  expect("handlerRuns", stats.handlerRuns, events);
  expect("charges", stats.charges, events);
  expect("receipts", stats.receipts, events);
  expect("events.delivered", stats.events.delivered, events);
  for (const status of ["received", "queued", "failed", "dead"] as const)
    expect(`events.${status}`, stats.events[status], 0);
  expect("dlq", stats.dlq, 0);
  return problems;
}
