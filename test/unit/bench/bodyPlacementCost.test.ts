import { describe, expect, test } from "@jest/globals";
import {
  breakEvenStoredKb,
  DEFAULT_BODY_LIFE,
  inlineCostPerMillion,
  s3CostPerMillion,
} from "../../../bench/cost/bodyPlacementCost.ts";
import { readPrices } from "../../../bench/cost/prices.ts";
import { DEFAULT_INLINE_BODY_LIMIT_BYTES } from "../../../lambdas/shared/body/bodyPlacement.ts";

const prices = readPrices();
const KB = 1024;

describe("inline or S3: the body placement's cost model", () => {
  test("puts the default inline limit at the break-even of the list prices", () => {
    expect(DEFAULT_INLINE_BODY_LIMIT_BYTES).toBe(breakEvenStoredKb(prices) * KB);
    const limit = DEFAULT_INLINE_BODY_LIMIT_BYTES;
    expect(inlineCostPerMillion(limit, prices)).toBeLessThanOrEqual(s3CostPerMillion(limit, prices));
    expect(inlineCostPerMillion(limit + KB, prices)).toBeGreaterThan(s3CostPerMillion(limit + KB, prices));
  });

  test("reproduces the figures quoted in bodyPlacement.ts (dollars per million events)", () => {
    const inline = (kb: number) => inlineCostPerMillion(kb * KB - DEFAULT_BODY_LIFE.itemOverheadBytes, prices);
    const s3 = (kb: number) => s3CostPerMillion(kb * KB - DEFAULT_BODY_LIFE.itemOverheadBytes, prices);
    expect([2, 7, 8, 9, 16, 64].map((kb) => inline(kb).toFixed(2))).toEqual([
      "1.85",
      "6.29",
      "7.16",
      "8.15",
      "14.31",
      "57.26",
    ]);
    expect([1, 8, 16, 64].map((kb) => s3(kb).toFixed(2))).toEqual(["7.14", "7.30", "7.48", "8.57"]);
  });

  test("moves the break-even down with longer retention and up with more reads per event", () => {
    expect(breakEvenStoredKb(prices, { ...DEFAULT_BODY_LIFE, retentionDays: 90 })).toBe(4);
    expect(breakEvenStoredKb(prices, { ...DEFAULT_BODY_LIFE, readsPerEvent: 3 })).toBe(9);
  });
});
