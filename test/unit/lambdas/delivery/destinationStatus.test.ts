import { describe, expect, test } from "@jest/globals";
import type { DestinationStatus } from "../../../../lambdas/delivery/destinationStatus.ts";
import {
  isFinalDestinationStatus,
  isTerminalDestinationStatus,
  nextDestinationStatus,
} from "../../../../lambdas/delivery/destinationStatus.ts";
import type { Decision } from "../../../../lambdas/delivery/retryPolicy.ts";

const delivered: Decision = { action: "delivered" };
const retry: Decision = { action: "retry", delaySeconds: 300, reason: "http_503" };
const dead: Decision = { action: "dead", reason: "http_503" };
const failed: Decision = { action: "failed", reason: "http_404", flagDestination: false };
const decisions = [delivered, retry, dead, failed];

describe("nextDestinationStatus", () => {
  test.each([
    [delivered, "DELIVERED"],
    [retry, "PENDING"],
    [dead, "DEAD"],
    [failed, "FAILED"],
  ] as const)("moves PENDING on %j to %s", (decision, expected) => {
    expect(nextDestinationStatus("PENDING", decision)).toBe(expected);
  });

  test.each(["DELIVERED", "FAILED"] as const)("never moves out of %s, whatever the decision", (status) => {
    for (const decision of decisions) expect(nextDestinationStatus(status, decision)).toBe(status);
  });

  test("does not let a late retry result downgrade DELIVERED", () => {
    expect(nextDestinationStatus("DELIVERED", retry)).toBe("DELIVERED");
  });

  test("moves DEAD to DELIVERED when a redriven job succeeds", () => {
    expect(nextDestinationStatus("DEAD", delivered)).toBe("DELIVERED");
  });

  test.each([retry, dead, failed])("keeps DEAD when a redriven job ends in %j", (decision) => {
    expect(nextDestinationStatus("DEAD", decision)).toBe("DEAD");
  });
});

describe("isTerminalDestinationStatus", () => {
  test.each([
    ["PENDING", false],
    ["DELIVERED", true],
    ["FAILED", true],
    ["DEAD", true],
  ] as const)("says %s is terminal: %s", (status: DestinationStatus, terminal) => {
    expect(isTerminalDestinationStatus(status)).toBe(terminal);
  });
});

describe("isFinalDestinationStatus", () => {
  test.each([
    ["PENDING", false],
    ["DELIVERED", true],
    ["FAILED", true],
    ["DEAD", false],
  ] as const)("says %s is final: %s", (status: DestinationStatus, final) => {
    expect(isFinalDestinationStatus(status)).toBe(final);
  });
});
