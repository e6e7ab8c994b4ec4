import { describe, expect, test } from "@jest/globals";
import { MAX_LOGGED_ATTEMPTS_PER_DESTINATION } from "../../../../lambdas/shared/attemptLog.ts";
import {
  DYNAMODB_ITEM_MAX_BYTES,
  maxDestinationsPerEvent,
  worstCaseItemBytes,
} from "../../../../lambdas/shared/itemSizeBudget.ts";
import { parseGatewayConfig } from "../../../../lambdas/shared/parseGatewayConfig.ts";

describe("item size budget", () => {
  test("allows 11 destinations per event with the defaults (256 KB bodies, 8 attempts), and the 11th still fits", () => {
    expect(maxDestinationsPerEvent(262_144, 8)).toBe(11);
    expect(worstCaseItemBytes(262_144, 11, 8)).toBeLessThanOrEqual(DYNAMODB_ITEM_MAX_BYTES);
    expect(worstCaseItemBytes(262_144, 12, 8)).toBeGreaterThan(DYNAMODB_ITEM_MAX_BYTES);
  });

  test("allows more destinations when bodies are smaller", () => {
    expect(maxDestinationsPerEvent(16_384, 8)).toBeGreaterThan(30);
  });

  test("rejects a configuration whose event items could outgrow DynamoDB's 400 KB, naming the provider", () => {
    const destinations = Array.from({ length: 12 }, (_, i) => ({
      id: `d${i}`,
      url: `https://consumer${i}.example.com/hook`,
      signingSecrets: [{ env: "SIGNING" }],
    }));
    const config = { providers: { stripe: { scheme: "stripe", secrets: [{ env: "S" }] } }, destinations };
    expect(() => parseGatewayConfig(config)).toThrow(/^providers\.stripe: its events go to 12 destinations/);
    expect(() => parseGatewayConfig({ ...config, maxBodyBytes: 65_536 })).not.toThrow();
  });
});

describe("item size budget: the bounded attempt log", () => {
  test("counts at most the log's bound per destination, however many attempts the schedule makes", () => {
    expect(maxDestinationsPerEvent(262_144, 28)).toBe(
      maxDestinationsPerEvent(262_144, MAX_LOGGED_ATTEMPTS_PER_DESTINATION),
    );
    expect(worstCaseItemBytes(65_536, 3, 1000)).toBe(
      worstCaseItemBytes(65_536, 3, MAX_LOGGED_ATTEMPTS_PER_DESTINATION),
    );
  });
});
