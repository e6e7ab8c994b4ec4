import { describe, expect, test } from "@jest/globals";
import {
  DYNAMODB_ITEM_MAX_BYTES,
  maxDestinationsPerEvent,
  worstCaseStateBytes,
} from "../../../../lambdas/shared/itemSizeBudget.ts";
import { parseGatewayConfig } from "../../../../lambdas/shared/parseGatewayConfig.ts";

const destinations = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: `d${i}`,
    url: `https://consumer${i}.example.com/hook`,
    signingSecrets: [{ env: "SIGNING" }],
  }));

describe("state item size budget", () => {
  test("allows 280 destinations per event, and the 280th still fits DynamoDB's 400 KB", () => {
    expect(maxDestinationsPerEvent()).toBe(280);
    expect(worstCaseStateBytes(280)).toBeLessThanOrEqual(DYNAMODB_ITEM_MAX_BYTES);
    expect(worstCaseStateBytes(281)).toBeGreaterThan(DYNAMODB_ITEM_MAX_BYTES);
  });

  test("no longer depends on the body size or the attempts: neither is in the state item", () => {
    // 256 KB bodies, 8 attempts: 11 destinations were the most when all shared one item; now 5 MiB bodies fit 12.
    const config = {
      providers: { stripe: { scheme: "stripe", secrets: [{ env: "S" }] } },
      destinations: destinations(12),
    };
    expect(() => parseGatewayConfig({ ...config, maxBodyBytes: 5_242_880 })).not.toThrow();
  });

  test("rejects a configuration whose state items could outgrow DynamoDB's 400 KB, naming the provider", () => {
    const config = {
      providers: { stripe: { scheme: "stripe", secrets: [{ env: "S" }] } },
      destinations: destinations(281),
    };
    expect(() => parseGatewayConfig(config)).toThrow(/^providers\.stripe: its events go to 281 destinations/);
    expect(() => parseGatewayConfig({ ...config, destinations: destinations(280) })).not.toThrow();
  });
});
