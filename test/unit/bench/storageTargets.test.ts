import { describe, expect, test } from "@jest/globals";
import { BODY_TARGETS, storageTargets } from "../../../bench/cost/storageTargets.ts";
import type { CostLine, CostScenario } from "../../../bench/cost/webhookCost.ts";

/** A bill of one line: $1 per KB of body, $1 less behind the Function URL, +$3 at 20 % duplicates / 1 retry. */
function fakeCost(scenario: Partial<CostScenario>): CostLine[] {
  const usd =
    (scenario.bodyBytes ?? 0) / 1024 -
    (scenario.edge === "functionUrl" ? 1 : 0) +
    (scenario.retriesPerDelivery === 1 ? 3 : 0);
  return [{ service: "X", component: "all", quantity: 1, unit: "unit", usd }];
}

const measured = BODY_TARGETS.map((t) => ({
  bodyBytes: t.bodyBytes,
  placement: t.bodyBytes > 8192 ? ("s3" as const) : ("inline" as const),
  writeUnits: t.bodyBytes === 2048 ? 7 : 6,
}));

describe("issue 15's targets table", () => {
  test("says no, and by how much, when a total is above its target, on either edge", () => {
    const data = storageTargets(fakeCost, measured);
    const row = (bytes: number) => data.bodies.find((b) => b.bodyBytes === bytes);
    // 1 KB: $1 ≤ $7. 2 KB: $2 ≤ $8 and $1 ≤ $7. 8 KB: $8 ≤ $10.50. 64 KB: $64 > $22 by $42.
    expect(row(1024)).toMatchObject({ met: true, overUsd: 0 });
    expect(row(2048)).toMatchObject({ met: true, functionUrlUsd: 1 });
    expect(row(65536)).toMatchObject({ met: false, overUsd: 42, placement: "s3" });
    expect(row(65536)?.retried).toEqual({ httpApiUsd: 67, functionUrlUsd: 66 });
    // 1 MB has no dollar target: accepted is the target.
    expect(row(1048576)).toMatchObject({ met: true, overUsd: 0 });
    expect(row(1048576)?.targetUsd).toBeUndefined();
  });

  test("derives the sustained rate from the shard counts: 1 000 events/s at the default peak, 10 000 at 10 000", () => {
    const { sustained, writeUnitsPer2KbEvent, largestBodyBytes } = storageTargets(fakeCost, measured);
    expect(sustained.atDefaultPeak).toMatchObject({ eventsPerSecond: 1000, shards: { list: 2, problem: 4 } });
    expect(sustained.atTenThousand).toMatchObject({
      eventsPerSecond: 10_000,
      shards: { list: 20, problem: 40 },
    });
    expect(sustained.met).toBe(true);
    expect(writeUnitsPer2KbEvent).toEqual({ now: 7, met: true });
    expect(largestBodyBytes).toEqual({ configuredMax: 5_242_880, measuredHere: 1048576, met: true });
  });
});
