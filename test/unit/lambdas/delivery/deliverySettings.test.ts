import { describe, expect, test } from "@jest/globals";
import {
  DEFAULT_DESTINATION_TIMEOUT_MS,
  resolveDeliverySettings,
} from "../../../../lambdas/delivery/deliverySettings.ts";
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from "../../../../lambdas/delivery/retrySchedule.ts";
import { CIRCUIT_BREAKER_DEFAULTS } from "../../../../lambdas/shared/circuitBreakerConfig.ts";
import { InvalidConfigurationError, InvalidRetryScheduleError } from "../../../../lambdas/shared/errors.ts";

const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const orders = { id: "orders", url: "https://consumer.example/hooks", signingSecrets: [SECRET] };

describe("resolveDeliverySettings", () => {
  test("applies the defaults and indexes destinations by id", () => {
    const settings = resolveDeliverySettings({ destinations: [orders] });
    expect(settings.retryScheduleSeconds).toEqual(DEFAULT_RETRY_SCHEDULE_SECONDS);
    expect(settings.minDelayAfterThrottleSeconds).toBe(60);
    expect(settings.destinations.get("orders")).toEqual({
      id: "orders",
      url: new URL("https://consumer.example/hooks"),
      signingSecrets: [SECRET],
      timeoutMs: DEFAULT_DESTINATION_TIMEOUT_MS,
      circuitBreaker: CIRCUIT_BREAKER_DEFAULTS,
    });
  });

  test("keeps a local schedule, throttle floor and timeout", () => {
    const settings = resolveDeliverySettings({
      destinations: [{ ...orders, timeoutMs: 250 }],
      retryScheduleSeconds: [1, 2, 4],
      minDelayAfterThrottleSeconds: 0,
    });
    expect(settings).toMatchObject({ retryScheduleSeconds: [1, 2, 4], minDelayAfterThrottleSeconds: 0 });
    expect(settings.destinations.get("orders")?.timeoutMs).toBe(250);
  });

  test("rejects a bad retry schedule", () => {
    expect(() => resolveDeliverySettings({ destinations: [orders], retryScheduleSeconds: [5, 0] })).toThrow(
      InvalidRetryScheduleError,
    );
  });

  test.each([
    ["a URL that does not parse", { url: "not a url" }, "destinations[0].url: expected an absolute URL"],
    ["a non-http URL", { url: "file:///etc/passwd" }, "destinations[0].url: expected https:"],
    ["plain http to a public host", { url: "http://consumer.example/hooks" }, "destinations[0].url: expected https:"],
    ["no signing secret", { signingSecrets: [] }, "destinations[0].signingSecrets: no usable secret"],
    ["a secret that is not whsec_ base64", { signingSecrets: ["whsec_!!"] }, "destinations[0].signingSecrets[0]: "],
    ["a zero timeout", { timeoutMs: 0 }, "destinations[0].timeoutMs: "],
  ])("rejects a destination with %s, naming the field", (_name, change, message) => {
    const resolve = () => resolveDeliverySettings({ destinations: [{ ...orders, ...change }] });
    expect(resolve).toThrow(InvalidConfigurationError);
    expect(resolve).toThrow(message);
  });

  test("accepts plain http to a loopback host (local stack and tests)", () => {
    const settings = resolveDeliverySettings({ destinations: [{ ...orders, url: "http://127.0.0.1:8080/hooks" }] });
    expect(settings.destinations.get("orders")?.url.href).toBe("http://127.0.0.1:8080/hooks");
  });

  test("never puts a secret into an error message", () => {
    const secret = "whsec_not*base64*secret-value";
    expect(() => resolveDeliverySettings({ destinations: [{ ...orders, signingSecrets: [secret] }] })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("secret-value") }),
    );
  });

  test("rejects two destinations with the same id", () => {
    expect(() => resolveDeliverySettings({ destinations: [orders, orders] })).toThrow(
      'destinations[1].id: duplicate destination id "orders"',
    );
  });

  test("rejects a negative throttle floor", () => {
    expect(() => resolveDeliverySettings({ destinations: [orders], minDelayAfterThrottleSeconds: -1 })).toThrow(
      "minDelayAfterThrottleSeconds",
    );
  });
});
