import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { deadLetterShares } from "../../../../lambdas/sweeper/deadLetterShares.ts";

// Queues' approximate counts, most of them empty or small, now and then a backlog.
const counts = fc.array(fc.oneof(fc.constant(0), fc.nat(20), fc.nat(5000)), { maxLength: 150 });
const budget = fc.integer({ min: 1, max: 300 });

describe("deadLetterShares", () => {
  test("gives an empty queue nothing and every other at least one message", () => {
    fc.assert(
      fc.property(counts, budget, (visible, total) => {
        const shares = deadLetterShares(visible, total);
        expect(shares).toHaveLength(visible.length);
        visible.forEach((count, index) => {
          if (count === 0) expect(shares[index]).toBe(0);
          else expect(shares[index]).toBeGreaterThanOrEqual(1);
        });
      }),
    );
  });

  test("spends exactly the budget, or one message per non-empty queue when there are more of them", () => {
    fc.assert(
      fc.property(counts, budget, (visible, total) => {
        const nonEmpty = visible.filter((count) => count > 0).length;
        const spent = deadLetterShares(visible, total).reduce((sum, share) => sum + share, 0);
        expect(spent).toBe(nonEmpty === 0 ? 0 : Math.max(total, nonEmpty));
      }),
    );
  });

  test("gives each non-empty queue what it holds or at least an even split, and only the fullest more than it holds", () => {
    fc.assert(
      fc.property(counts, budget, (visible, total) => {
        const shares = deadLetterShares(visible, total);
        const nonEmpty = visible.filter((count) => count > 0).length;
        visible.forEach((count, index) => {
          const share = shares[index] ?? 0;
          if (count > 0) expect(share).toBeGreaterThanOrEqual(Math.min(count, Math.floor(total / nonEmpty)));
        });
        // Only the fullest queue may be given more than it says it holds (its count lags new arrivals).
        const over = visible.filter((count, index) => (shares[index] ?? 0) > count);
        expect(over.length).toBeLessThanOrEqual(1);
        if (over.length === 1) expect(over[0]).toBe(Math.max(...visible));
      }),
    );
  });

  test("gives one shared queue the whole budget, and a backlog what small queues leave", () => {
    expect(deadLetterShares([3], 100)).toEqual([100]);
    expect(deadLetterShares([0, 0, 0], 100)).toEqual([0, 0, 0]);
    expect(deadLetterShares([5000, 1, 1, 1, 1, 1, 1, 1, 1, 1], 100)).toEqual([91, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(deadLetterShares([500, 0, 700], 100)).toEqual([50, 0, 50]);
    expect(deadLetterShares([4, 4], 0)).toEqual([0, 0]);
  });
});
