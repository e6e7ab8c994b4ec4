import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  deriveOverallStatus,
  destinationStatusesOf,
  overallStatusChange,
} from "../../../../lambdas/delivery/overallStatus.ts";
import type { DestinationStatus } from "../../../../lambdas/shared/eventRecord.ts";

const anyStatus = fc.constantFrom<DestinationStatus>("PENDING", "DELIVERED", "FAILED", "DEAD");

describe("deriveOverallStatus", () => {
  test.each([
    [["DELIVERED"], "DELIVERED"],
    [["DELIVERED", "DELIVERED"], "DELIVERED"],
    [["PENDING"], "QUEUED"],
    [["DELIVERED", "PENDING"], "QUEUED"],
    [["DEAD", "PENDING"], "QUEUED"],
    [["FAILED", "PENDING"], "QUEUED"],
    [["DELIVERED", "FAILED"], "FAILED"],
    [["FAILED"], "FAILED"],
    [["DELIVERED", "DEAD"], "DEAD"],
    [["FAILED", "DEAD"], "DEAD"],
    [["DEAD"], "DEAD"],
  ] as const)("derives %j → %s", (statuses, expected) => {
    expect(deriveOverallStatus(statuses)).toBe(expected);
  });

  test("says an event with no destinations is delivered", () => {
    expect(deriveOverallStatus([])).toBe("DELIVERED");
  });

  test("stays QUEUED while any destination is PENDING, and never says QUEUED once none is", () => {
    fc.assert(
      fc.property(fc.array(anyStatus, { minLength: 1, maxLength: 6 }), (statuses) => {
        expect(deriveOverallStatus(statuses) === "QUEUED").toBe(statuses.includes("PENDING"));
      }),
    );
  });

  test("does not depend on the order of the destinations", () => {
    fc.assert(
      fc.property(fc.array(anyStatus, { maxLength: 6 }), (statuses) => {
        expect(deriveOverallStatus([...statuses].reverse())).toBe(deriveOverallStatus(statuses));
      }),
    );
  });
});

describe("destinationStatusesOf", () => {
  test("counts a fanned-out destination with no state yet as PENDING", () => {
    const item = { destinationIds: ["a", "b"], destinations: { a: { status: "DELIVERED" as const, attempts: 1 } } };
    expect(destinationStatusesOf(item)).toEqual(["DELIVERED", "PENDING"]);
  });

  test("includes a destination with a state that is not among the fanned-out ids", () => {
    const item = { destinationIds: ["a"], destinations: { old: { status: "FAILED" as const, attempts: 0 } } };
    expect(destinationStatusesOf(item)).toEqual(["PENDING", "FAILED"]);
  });
});

describe("overallStatusChange", () => {
  test("writes nothing when the status is already the derived one", () => {
    expect(overallStatusChange("QUEUED", "QUEUED")).toBeUndefined();
    expect(overallStatusChange("DELIVERED", "DELIVERED")).toBeUndefined();
  });

  test("leaves a RECEIVED event RECEIVED while destinations are pending, so the sweeper still finds it", () => {
    expect(overallStatusChange("RECEIVED", "QUEUED")).toBeUndefined();
  });

  test("moves a RECEIVED event to a settled status once every destination settled", () => {
    expect(overallStatusChange("RECEIVED", "DELIVERED")).toBe("DELIVERED");
    expect(overallStatusChange("RECEIVED", "FAILED")).toBe("FAILED");
  });

  test("moves a DEAD event to DELIVERED after a redrive", () => {
    expect(overallStatusChange("DEAD", "DELIVERED")).toBe("DELIVERED");
  });

  test("moves QUEUED to a settled status", () => {
    expect(overallStatusChange("QUEUED", "DEAD")).toBe("DEAD");
  });
});
