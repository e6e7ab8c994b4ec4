import { describe, expect, test } from "@jest/globals";
import { e2eProblems } from "../../bench/e2e/e2eChecks.ts";
import type { StormTally } from "../../local/chaosStorm.ts";
import type { LocalStats } from "../../local/stackStats.ts";

/** The end-to-end benchmark's verdict: a run that loses or duplicates anything must fail, and say what. */

const expected = { events: 5, copies: 3 };
const cleanTally: StormTally = { sent: 15, accepted: 5, duplicates: 10, errors: 0, errorKinds: {} };
const cleanStats: LocalStats = {
  charges: 5,
  receipts: 5,
  handlerRuns: 5,
  events: { received: 0, unrouted: 0, queued: 0, delivered: 5, failed: 0, dead: 0 },
  dlq: 0,
};

describe("e2eProblems", () => {
  test("finds nothing wrong when every event was accepted once and delivered exactly once", () => {
    expect(e2eProblems(expected, cleanTally, cleanStats, true)).toEqual([]);
  });

  test("names a handler that ran twice and a receipt sent twice", () => {
    const stats = { ...cleanStats, handlerRuns: 6, receipts: 6 };
    expect(e2eProblems(expected, cleanTally, stats, true)).toEqual([
      "handlerRuns is 6, expected 5",
      "receipts is 6, expected 5",
    ]);
  });

  test("names a lost event: still queued, never charged, its job dead-lettered", () => {
    const stats = { ...cleanStats, charges: 4, events: { ...cleanStats.events, delivered: 4, dead: 1 }, dlq: 1 };
    expect(e2eProblems(expected, cleanTally, stats, true)).toEqual([
      "charges is 4, expected 5",
      "events.delivered is 4, expected 5",
      "events.dead is 1, expected 0",
      "dlq is 1, expected 0",
    ]);
  });

  test("names failed requests, an event accepted twice and delivery that did not settle", () => {
    const tally = { ...cleanTally, accepted: 6, duplicates: 8, errors: 1, errorKinds: { "503": 1 } };
    expect(e2eProblems(expected, tally, cleanStats, false)).toEqual([
      "delivery did not settle before the timeout",
      "accepted (202) is 6, expected 5",
      "duplicates (200) is 8, expected 10",
      '1 request(s) failed: {"503":1}',
    ]);
  });
});
