import { describe, expect, test } from "@jest/globals";
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from "../../../../lambdas/delivery/retrySchedule.ts";
import { CIRCUIT_BREAKER_DEFAULTS } from "../../../../lambdas/shared/circuitBreakerConfig.ts";
import { InvalidConfigurationError } from "../../../../lambdas/shared/errors.ts";
import { GATEWAY_CONFIG_DEFAULTS, parseGatewayConfig } from "../../../../lambdas/shared/parseGatewayConfig.ts";

const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-AbCdEf";

/** A small valid configuration as JSON would give it; tests change one field at a time. */
function minimal(): Record<string, unknown> & {
  providers: Record<string, unknown>;
  destinations: Record<string, unknown>[];
} {
  return {
    providers: { stripe: { scheme: "stripe", secrets: [{ env: "STRIPE_SECRET" }] } },
    destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ env: "OUT_SECRET" }] }],
  };
}

function withProvider(name: string, scheme: unknown) {
  const config = minimal();
  config.providers = { [name]: scheme };
  return config;
}

function withDestination(change: Record<string, unknown>) {
  const config = minimal();
  config.destinations = [{ ...config.destinations[0], ...change }];
  return config;
}

function failure(value: unknown): InvalidConfigurationError {
  try {
    parseGatewayConfig(value);
  } catch (error) {
    if (error instanceof InvalidConfigurationError) return error;
    throw error;
  }
  throw new Error("expected InvalidConfigurationError");
}

describe("parseGatewayConfig", () => {
  test("applies every default to a minimal configuration", () => {
    expect(parseGatewayConfig(minimal())).toEqual({
      providers: { stripe: { scheme: "stripe", secrets: [{ env: "STRIPE_SECRET" }], toleranceSeconds: 300 } },
      destinations: [
        {
          id: "orders",
          url: "https://orders.example.com/hooks",
          providers: ["stripe"],
          signingSecrets: [{ env: "OUT_SECRET" }],
          timeoutMs: 10_000,
          circuitBreaker: CIRCUIT_BREAKER_DEFAULTS,
        },
      ],
      maxBodyBytes: 5_242_880,
      eventRetentionSeconds: 2_592_000,
      retryScheduleSeconds: [...DEFAULT_RETRY_SCHEDULE_SECONDS],
      minDelayAfterThrottleSeconds: 60,
      sweepAfterSeconds: 120,
      peakEventsPerSecond: 1_000,
    });
    expect(GATEWAY_CONFIG_DEFAULTS.sweepAfterSeconds).toBe(120);
  });

  test("takes a destination's own concurrency and breaker, or no breaker", () => {
    const [tuned] = parseGatewayConfig({
      ...minimal(),
      destinations: [
        {
          ...minimal().destinations[0],
          maxConcurrency: 50,
          circuitBreaker: { consecutiveFailures: 3, probeAfterSeconds: 5 },
        },
      ],
    }).destinations;
    expect(tuned?.maxConcurrency).toBe(50);
    expect(tuned?.circuitBreaker).toEqual({
      ...CIRCUIT_BREAKER_DEFAULTS,
      consecutiveFailures: 3,
      probeAfterSeconds: 5,
    });
    const [off] = parseGatewayConfig({
      ...minimal(),
      destinations: [{ ...minimal().destinations[0], circuitBreaker: false }],
    }).destinations;
    expect(off?.circuitBreaker).toBe(false);
    expect(off?.maxConcurrency).toBeUndefined();
  });

  test("takes a peak of 10 000 events per second and more, up to 100 000", () => {
    expect(parseGatewayConfig({ ...minimal(), peakEventsPerSecond: 10_000 }).peakEventsPerSecond).toBe(10_000);
    expect(parseGatewayConfig({ ...minimal(), peakEventsPerSecond: 100_000 }).peakEventsPerSecond).toBe(100_000);
  });

  test("accepts every scheme with its options, and keeps explicit values", () => {
    const config = parseGatewayConfig({
      providers: {
        stripe: {
          scheme: "stripe",
          secrets: [{ secretArn: ARN, jsonKey: "current" }, { env: "OLD" }],
          toleranceSeconds: 60,
        },
        github: { scheme: "github", secrets: [{ env: "GH" }] },
        shopify: { scheme: "shopify", secrets: [{ secretArn: ARN }] },
        standard: { scheme: "standard", secrets: [{ env: "STD" }] },
        keygen: {
          scheme: "keygen",
          publicKeys: [{ env: "KG" }],
          publicUrl: "https://hooks.example.com/webhooks/keygen",
        },
        "my-app-2": {
          scheme: "generic",
          eventId: { header: "X-Event-Id" },
          signature: { header: "X-Sig", secrets: [{ env: "G" }] },
        },
        open: { scheme: "generic", eventId: { jsonPath: "data.id" }, signature: "none" },
      },
      destinations: [
        {
          id: "a",
          url: "http://127.0.0.1:8080/hooks",
          signingSecrets: [{ env: "S" }],
          providers: ["open", "open"],
          timeoutMs: 2000,
        },
        { id: "b", url: "http://localhost/x", signingSecrets: [{ env: "S" }] },
        { id: "c", url: "http://[::1]:9/", signingSecrets: [{ env: "S" }] },
      ],
      maxBodyBytes: 1024,
      eventRetentionSeconds: 100_000,
      retryScheduleSeconds: [1, 2, 4],
      minDelayAfterThrottleSeconds: 5,
      sweepAfterSeconds: 30,
    });
    expect(config.providers["my-app-2"]).toEqual({
      scheme: "generic",
      eventId: { header: "x-event-id" },
      signature: { header: "x-sig", secrets: [{ env: "G" }] },
    });
    expect(config.providers.open).toEqual({ scheme: "generic", eventId: { jsonPath: "data.id" }, signature: "none" });
    expect(config.destinations.map((d) => d.providers)).toEqual([
      ["open"],
      Object.keys(config.providers),
      Object.keys(config.providers),
    ]);
    expect(config).toMatchObject({ maxBodyBytes: 1024, retryScheduleSeconds: [1, 2, 4], sweepAfterSeconds: 30 });
  });

  test.each([
    ["a non-object", [], "(root): expected an object, got an array"],
    ["an unknown top-level field", { ...minimal(), maxBodyByte: 5 }, "maxBodyByte: unknown field"],
    ["no providers", { ...minimal(), providers: {} }, "providers: expected at least one provider"],
    [
      "an upper-case provider name",
      withProvider("Stripe", { scheme: "stripe", secrets: [{ env: "S" }] }),
      "providers.Stripe: provider names must match",
    ],
    [
      "a provider name with a space",
      withProvider("my app", { scheme: "stripe", secrets: [{ env: "S" }] }),
      'providers["my app"]: provider names must match',
    ],
    [
      "an unknown scheme",
      withProvider("stripe", { scheme: "paypal" }),
      "providers.stripe.scheme: expected one of stripe, github",
    ],
    [
      "a scheme that is not an object",
      withProvider("stripe", "stripe"),
      "providers.stripe: expected an object, got string",
    ],
    [
      "an inline secret",
      withProvider("stripe", { scheme: "stripe", secrets: ["whsec_x"] }),
      "providers.stripe.secrets[0]: expected an object",
    ],
    [
      "a secret ref with both sources",
      withProvider("stripe", { scheme: "stripe", secrets: [{ env: "A", secretArn: ARN }] }),
      "providers.stripe.secrets[0]: expected { env } or { secretArn }",
    ],
    [
      "an empty secret ref",
      withProvider("stripe", { scheme: "stripe", secrets: [{}] }),
      "providers.stripe.secrets[0]: expected { env } or { secretArn }",
    ],
    [
      "a jsonKey on an env ref",
      withProvider("stripe", { scheme: "stripe", secrets: [{ env: "A", jsonKey: "k" }] }),
      "providers.stripe.secrets[0]: expected { env } or { secretArn }",
    ],
    [
      "a bad env name",
      withProvider("stripe", { scheme: "stripe", secrets: [{ env: "1-A" }] }),
      "providers.stripe.secrets[0].env: expected an environment variable name",
    ],
    [
      "a secret name instead of an ARN",
      withProvider("stripe", { scheme: "stripe", secrets: [{ secretArn: "stripe" }] }),
      "providers.stripe.secrets[0].secretArn: expected a Secrets Manager ARN",
    ],
    [
      "no secrets",
      withProvider("github", { scheme: "github", secrets: [] }),
      "providers.github.secrets: expected a non-empty array",
    ],
    [
      "an unknown scheme option",
      withProvider("github", { scheme: "github", secrets: [{ env: "A" }], toleranceSeconds: 5 }),
      "providers.github.toleranceSeconds: unknown field",
    ],
    [
      "a fractional tolerance",
      withProvider("stripe", { scheme: "stripe", secrets: [{ env: "A" }], toleranceSeconds: 1.5 }),
      "providers.stripe.toleranceSeconds: expected a whole number from 1 to 86400, got 1.5",
    ],
    [
      "a relative Keygen publicUrl",
      withProvider("keygen", { scheme: "keygen", publicKeys: [{ env: "K" }], publicUrl: "/webhooks/keygen" }),
      "providers.keygen.publicUrl: expected an absolute http(s) URL",
    ],
    [
      '"None" for an unsigned generic source',
      withProvider("g", { scheme: "generic", eventId: {}, signature: "None" }),
      'providers.g.signature: expected { header, secrets } or exactly "none"',
    ],
    [
      "a missing generic signature",
      withProvider("g", { scheme: "generic", eventId: {} }),
      'providers.g.signature: expected { header, secrets } or exactly "none"',
    ],
    [
      "a generic event id in two places",
      withProvider("g", { scheme: "generic", eventId: { header: "a", jsonPath: "b" }, signature: "none" }),
      "providers.g.eventId: expected { header } or { jsonPath }, not both",
    ],
    [
      "an empty JSON path segment",
      withProvider("g", { scheme: "generic", eventId: { jsonPath: "data..id" }, signature: "none" }),
      "providers.g.eventId.jsonPath: expected a dot path",
    ],
    [
      "a header name with a space",
      withProvider("g", { scheme: "generic", eventId: { header: "event id" }, signature: "none" }),
      "providers.g.eventId.header: expected a header name",
    ],
    ["no destinations", { ...minimal(), destinations: [] }, "destinations: expected a non-empty array"],
    ["a bad destination id", withDestination({ id: "Orders" }), "destinations[0].id: expected an id matching"],
    [
      "a destination URL that does not parse",
      withDestination({ url: "orders.example.com" }),
      "destinations[0].url: expected an absolute URL",
    ],
    [
      "plain http to a public host",
      withDestination({ url: "http://orders.example.com/" }),
      "destinations[0].url: expected https: (http: is allowed for loopback hosts only)",
    ],
    [
      "plain http to a private address",
      withDestination({ url: "http://10.0.0.5/" }),
      "destinations[0].url: expected https:",
    ],
    [
      "plain http to a localhost subdomain",
      withDestination({ url: "http://a.localhost/" }),
      "destinations[0].url: expected https:",
    ],
    [
      "an ftp URL",
      withDestination({ url: "ftp://files.example.com/" }),
      "destinations[0].url: expected https:, got ftp:",
    ],
    [
      "credentials in the URL",
      withDestination({ url: "https://user:pw@orders.example.com/" }),
      "destinations[0].url: must not contain credentials",
    ],
    [
      "an unknown provider in a destination",
      withDestination({ providers: ["github"] }),
      'destinations[0].providers[0]: unknown provider "github"',
    ],
    [
      "an empty providers list",
      withDestination({ providers: [] }),
      "destinations[0].providers: expected a non-empty array",
    ],
    [
      "no signing secret",
      withDestination({ signingSecrets: [] }),
      "destinations[0].signingSecrets: expected a non-empty array",
    ],
    [
      "a zero timeout",
      withDestination({ timeoutMs: 0 }),
      "destinations[0].timeoutMs: expected a whole number from 1 to 900000, got 0",
    ],
    [
      "a concurrency of 1 (an event source mapping takes 2 to 1000)",
      withDestination({ maxConcurrency: 1 }),
      "destinations[0].maxConcurrency: expected a whole number from 2 to 1000 (SQS event sources), got 1",
    ],
    [
      "a concurrency above 1000",
      withDestination({ maxConcurrency: 1001 }),
      "destinations[0].maxConcurrency: expected a whole number from 1 to 1000, got 1001",
    ],
    [
      "an unknown breaker field",
      withDestination({ circuitBreaker: { failures: 3 } }),
      "destinations[0].circuitBreaker.failures: unknown field",
    ],
    [
      "a breaker whose longest wait is shorter than its first",
      withDestination({ circuitBreaker: { probeAfterSeconds: 60, maxProbeAfterSeconds: 30 } }),
      "destinations[0].circuitBreaker.maxProbeAfterSeconds: 30 is shorter than probeAfterSeconds (60)",
    ],
    [
      "a failure rate over 100 %",
      withDestination({ circuitBreaker: { failureRatePercent: 101 } }),
      "destinations[0].circuitBreaker.failureRatePercent: expected a whole number from 1 to 100, got 101",
    ],
    [
      "a timeout as a string",
      withDestination({ timeoutMs: "5000" }),
      'destinations[0].timeoutMs: expected a whole number from 1 to 900000, got "5000"',
    ],
    [
      "a body limit above what a 6 MB Lambda invocation can carry",
      { ...minimal(), maxBodyBytes: 5_242_881 },
      "maxBodyBytes: expected a whole number from 1 to 5242880",
    ],
    ["a negative sweep delay", { ...minimal(), sweepAfterSeconds: -1 }, "sweepAfterSeconds: expected a whole number"],
    [
      "a peak rate of zero",
      { ...minimal(), peakEventsPerSecond: 0 },
      "peakEventsPerSecond: expected a whole number from 1 to 100000, got 0",
    ],
    [
      "a peak rate above what the shards are planned for",
      { ...minimal(), peakEventsPerSecond: 200_000 },
      "peakEventsPerSecond: expected a whole number from 1 to 100000, got 200000",
    ],
    [
      "a fractional peak rate",
      { ...minimal(), peakEventsPerSecond: 1.5 },
      "peakEventsPerSecond: expected a whole number from 1 to 100000, got 1.5",
    ],
    [
      "a retry schedule that is not an array",
      { ...minimal(), retryScheduleSeconds: "5,10" },
      "retryScheduleSeconds: expected an array of seconds",
    ],
    [
      "a retry delay over 12 hours",
      { ...minimal(), retryScheduleSeconds: [5, 50_000] },
      "retryScheduleSeconds: Invalid retry schedule: entry 2 is 50000",
    ],
    [
      "a retention shorter than the retry schedule",
      { ...minimal(), eventRetentionSeconds: 86_400 },
      "eventRetentionSeconds: 86400 is not longer than the retry schedule (99305 s)",
    ],
  ])("rejects %s, naming the field", (_label, value, message) => {
    const error = failure(value);
    expect(error.code).toBe("invalid_configuration");
    expect(error.message).toContain(message);
    expect(error.message.startsWith(error.field)).toBe(true);
  });

  test("keeps a provider's opt-in replayWindowSeconds, on any scheme", () => {
    const github = { scheme: "github", secrets: [{ env: "GH" }], replayWindowSeconds: 3600 };
    expect(parseGatewayConfig(withProvider("stripe", github)).providers.stripe).toEqual({
      scheme: "github",
      secrets: [{ env: "GH" }],
      replayWindowSeconds: 3600,
    });
    expect(parseGatewayConfig(minimal()).providers.stripe).not.toHaveProperty("replayWindowSeconds");
  });

  test.each([0, -1, 1.5, "60", 30 * 86_400 + 1])("rejects replayWindowSeconds %p, naming the field", (window) => {
    const config = withProvider("shop", { scheme: "shopify", secrets: [{ env: "S" }], replayWindowSeconds: window });
    expect(() => parseGatewayConfig(config)).toThrow(/^providers\.shop\.replayWindowSeconds: /);
  });

  test("rejects duplicate destination ids", () => {
    const config = minimal();
    config.destinations = [config.destinations[0] ?? {}, { ...config.destinations[0] }];
    expect(failure(config).message).toBe('destinations[1].id: duplicate destination id "orders"');
  });

  test("rejects a provider no destination receives", () => {
    const config = minimal();
    config.providers.github = { scheme: "github", secrets: [{ env: "GH" }] };
    config.destinations = [{ ...config.destinations[0], providers: ["stripe"] }];
    expect(failure(config).message).toBe("providers.github: no destination receives its events");
  });

  test("accepts every loopback form the WHATWG parser normalises to 127.0.0.0/8", () => {
    for (const url of ["http://127.1/", "http://127.255.255.254:1/", "http://LOCALHOST:3000/", "http://0x7f.0.0.1/"]) {
      expect(parseGatewayConfig(withDestination({ url })).destinations[0]?.url).toBe(url);
    }
  });

  test("names a too-long provider name without repeating all of it", () => {
    const name = `p${"a".repeat(100)}`;
    expect(failure(withProvider(name, {})).field).toBe(`providers.${name}`);
    expect(failure(withProvider(`${name} x`, {})).field).toBe(`providers["${`${name} x`.slice(0, 40)}…"]`);
  });
  describe("destinations[].events", () => {
    test("keeps a destination's filter, once per pattern, and leaves an unfiltered one without", () => {
      const config = minimal();
      config.destinations = [
        { ...config.destinations[0], events: ["invoice.*", "charge.succeeded", "invoice.*"] },
        { id: "all", url: "https://all.example.com/hooks", signingSecrets: [{ env: "OUT_SECRET" }] },
      ];
      const parsed = parseGatewayConfig(config);
      expect(parsed.destinations[0]?.events).toEqual(["invoice.*", "charge.succeeded"]);
      expect(parsed.destinations[1]).not.toHaveProperty("events");
    });

    test.each([
      [[], "destinations[0].events: an empty filter would receive nothing: omit events to receive every event"],
      ["invoice.*", 'destinations[0].events: expected a non-empty array, got "invoice.*"'],
      [["invoice.*", "inv*"], 'destinations[0].events[1]: "inv*": a wildcard is a whole segment'],
      [["invoice."], 'destinations[0].events[0]: "invoice." has an empty segment'],
      [[42], "destinations[0].events[0]: expected a non-empty event type pattern"],
    ])("rejects events %j, naming the field", (events, message) => {
      expect(failure(withDestination({ events })).message).toContain(message);
    });

    test("rejects more than 100 patterns", () => {
      const events = Array.from({ length: 101 }, (_, n) => `type${n}`);
      expect(failure(withDestination({ events })).message).toBe(
        "destinations[0].events: expected at most 100 patterns, got 101",
      );
    });

    test("rejects a filter over a generic provider that has no event type, and takes one that has", () => {
      const generic = { scheme: "generic", eventId: { header: "x-id" }, signature: "none" };
      const config = withProvider("acme", generic);
      config.destinations = [{ ...config.destinations[0], events: ["order.*"] }];
      expect(failure(config).message).toBe(
        'destinations[0].events: provider "acme" (generic) has no event type to filter on: set providers.acme.eventType to { header } or { jsonPath }, or leave it out of this destination\'s providers',
      );
      config.providers = { acme: { ...generic, eventType: { jsonPath: "meta.type" } } };
      expect(parseGatewayConfig(config).providers.acme).toMatchObject({ eventType: { jsonPath: "meta.type" } });
      config.providers = { acme: { ...generic, eventType: { header: "X-Event-Type" } } };
      expect(parseGatewayConfig(config).providers.acme).toMatchObject({ eventType: { header: "x-event-type" } });
    });

    test.each([
      [{}, "providers.acme.eventType: expected { header } or { jsonPath }"],
      [{ header: "x-a", jsonPath: "a" }, "providers.acme.eventType: expected { header } or { jsonPath }, not both"],
      [{ jsonPath: "a..b" }, "providers.acme.eventType.jsonPath: expected a dot path"],
      [{ path: "a" }, "providers.acme.eventType.path: unknown field"],
    ])("rejects a generic eventType %j", (eventType, message) => {
      const generic = { scheme: "generic", eventId: { header: "x-id" }, signature: "none", eventType };
      expect(failure(withProvider("acme", generic)).message).toContain(message);
    });
  });
});
