import { describe, expect, test } from "@jest/globals";
import { CIRCUIT_BREAKER_DEFAULTS } from "../../../lambdas/shared/circuitBreakerConfig.ts";
import { destinationIdFor, localGatewayConfig } from "../../../local/localConfig.ts";

const address = { baseUrl: "http://127.0.0.1:4000" };

describe("localGatewayConfig", () => {
  test("configures the five local providers and the demo consumer, with the quick local timings", () => {
    const config = localGatewayConfig({}, address);

    expect(Object.keys(config.providers)).toEqual(["stripe", "github", "shopify", "standard", "keygen"]);
    expect(config.providers.stripe).toMatchObject({ secrets: [{ env: "STRIPE_WEBHOOK_SECRET" }] });
    // Keygen signs the host and path of the URL it calls: the local front's.
    expect(config.providers.keygen).toMatchObject({ publicUrl: "http://127.0.0.1:4000/webhooks/keygen" });
    expect(config.destinations).toEqual([
      {
        id: "demo",
        url: "http://127.0.0.1:4000/consumer/demo",
        providers: ["stripe", "github", "shopify", "standard", "keygen"],
        signingSecrets: [{ env: "ONCEGATE_SIGNING_SECRET" }],
        timeoutMs: 10_000,
        circuitBreaker: CIRCUIT_BREAKER_DEFAULTS,
      },
    ]);
    expect(config.retryScheduleSeconds).toEqual([1, 2, 4, 8, 16, 32, 64]);
    expect(config.minDelayAfterThrottleSeconds).toBe(1);
    expect(config.sweepAfterSeconds).toBe(10);
  });

  test("reads destinations, schedule, timeout and sweep age from the environment", () => {
    const config = localGatewayConfig(
      {
        ONCEGATE_DESTINATIONS: " http://127.0.0.1:9000/hooks , demo",
        ONCEGATE_RETRY_SCHEDULE: "1,1,1",
        ONCEGATE_DESTINATION_TIMEOUT_MS: "500",
        ONCEGATE_SWEEP_AFTER_SECONDS: "2",
      },
      address,
    );

    expect(config.destinations.map(({ id, url, timeoutMs }) => ({ id, url, timeoutMs }))).toEqual([
      { id: destinationIdFor("http://127.0.0.1:9000/hooks"), url: "http://127.0.0.1:9000/hooks", timeoutMs: 500 },
      { id: "demo", url: "http://127.0.0.1:4000/consumer/demo", timeoutMs: 500 },
    ]);
    expect(config.retryScheduleSeconds).toEqual([1, 1, 1]);
    expect(config.sweepAfterSeconds).toBe(2);
  });

  test("gives a URL destination a stable id that fits the destination id rule", () => {
    expect(destinationIdFor("https://example.com/hooks")).toBe(destinationIdFor("https://example.com/hooks"));
    expect(destinationIdFor("https://example.com/hooks")).not.toBe(destinationIdFor("https://example.com/other"));
    expect(destinationIdFor("https://example.com/hooks")).toMatch(/^dest-[0-9a-f]{8}$/);
  });

  test.each([
    [{ ONCEGATE_DESTINATIONS: "http://example.com/hooks" }, "ONCEGATE_DESTINATIONS entry 1: expected https:"],
    [{ ONCEGATE_DESTINATIONS: "demo,,demo" }, "ONCEGATE_DESTINATIONS: entry 2 is empty"],
    [{ ONCEGATE_DESTINATIONS: "demo,demo" }, 'ONCEGATE_DESTINATIONS: entry 2 repeats "demo"'],
    [{ ONCEGATE_RETRY_SCHEDULE: "1,0" }, "ONCEGATE_RETRY_SCHEDULE: Invalid retry schedule: entry 2 is 0"],
    [{ ONCEGATE_DESTINATION_TIMEOUT_MS: "fast" }, "ONCEGATE_DESTINATION_TIMEOUT_MS: expected a whole number"],
    [{ ONCEGATE_SWEEP_AFTER_SECONDS: "-1" }, "ONCEGATE_SWEEP_AFTER_SECONDS: expected a whole number"],
  ])("rejects %j, naming the variable", (env, message) => {
    expect(() => localGatewayConfig(env, address)).toThrow(message);
  });
});
