import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  appendBounded,
  FIRST_ATTEMPTS_KEPT,
  LAST_ATTEMPTS_KEPT,
  MAX_LOGGED_ATTEMPTS_PER_DESTINATION,
} from "../../../../lambdas/shared/attemptLog.ts";
import type { AttemptEntry } from "../../../../lambdas/shared/eventRecord.ts";

const entry = (destination: string, attempt: number): AttemptEntry => ({
  destination,
  attempt,
  atMs: attempt,
  latencyMs: 1,
  responseBodyExcerpt: "",
});

describe("appendBounded", () => {
  test("keeps the first 2 and the last 8 attempts of a destination, and counts the ones left out", () => {
    let log: AttemptEntry[] = [];
    let omitted = 0;
    for (let attempt = 1; attempt <= 30; attempt++) {
      const next = appendBounded(log, entry("orders", attempt));
      log = next.log;
      omitted += next.omitted;
    }
    expect(log.map((kept) => kept.attempt)).toEqual([1, 2, 23, 24, 25, 26, 27, 28, 29, 30]);
    expect(omitted).toBe(20);
  });

  test("bounds every destination on its own and loses no entry of another (property, against a model)", () => {
    const destinations = fc.constantFrom("a", "b", "c");
    fc.assert(
      fc.property(fc.array(destinations, { maxLength: 80 }), (sequence) => {
        let log: AttemptEntry[] = [];
        const omitted: Record<string, number> = {};
        const made: Record<string, number[]> = {};
        sequence.forEach((destination, index) => {
          const next = appendBounded(log, entry(destination, index + 1));
          log = next.log;
          omitted[destination] = (omitted[destination] ?? 0) + next.omitted;
          made[destination] = [...(made[destination] ?? []), index + 1];
        });
        for (const [destination, attempts] of Object.entries(made)) {
          // The model: first FIRST, last LAST, in order; the rest counted.
          const expected =
            attempts.length <= MAX_LOGGED_ATTEMPTS_PER_DESTINATION
              ? attempts
              : [...attempts.slice(0, FIRST_ATTEMPTS_KEPT), ...attempts.slice(-LAST_ATTEMPTS_KEPT)];
          const kept = log.filter((candidate) => candidate.destination === destination).map((kept) => kept.attempt);
          expect(kept).toEqual(expected);
          expect(omitted[destination]).toBe(attempts.length - expected.length);
        }
        // The log stays in the order the attempts were made.
        expect(log.map((kept) => kept.attempt)).toEqual([...log.map((kept) => kept.attempt)].sort((x, y) => x - y));
      }),
    );
  });
});
