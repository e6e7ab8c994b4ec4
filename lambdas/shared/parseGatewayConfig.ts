import {
  assertRetrySchedule,
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  MAX_RETRY_DELAY_SECONDS,
} from "../delivery/retrySchedule.ts";
import { parseCircuitBreaker, type ResolvedCircuitBreaker } from "./circuitBreakerConfig.ts";
import {
  fieldPath,
  readNonEmptyArray,
  readObject,
  readPositiveInteger,
  readSecretRefs,
  readString,
} from "./configFields.ts";
import { readDestinationUrl } from "./destinationUrl.ts";
import { InvalidConfigurationError, InvalidRetryScheduleError } from "./errors.ts";
import { PROVIDER_NAME_PATTERN } from "./eventKey.ts";
import { eventPatternProblem } from "./eventTypeFilter.ts";
import type { DestinationConfig, GatewayConfig, ProviderScheme } from "./gatewayConfig.ts";
import { DEFAULT_PEAK_EVENTS_PER_SECOND } from "./indexShards.ts";
import { maxDestinationsPerEvent } from "./itemSizeBudget.ts";
import { parseProviderScheme } from "./parseProviderScheme.ts";

/** A destination with its defaults applied: `providers` lists every provider it receives. */
export interface ResolvedDestinationConfig extends DestinationConfig {
  providers: string[];
  timeoutMs: number;
  circuitBreaker: ResolvedCircuitBreaker | false;
}

/** A validated {@link GatewayConfig} with every default applied. */
export interface ResolvedGatewayConfig extends GatewayConfig {
  destinations: ResolvedDestinationConfig[];
  maxBodyBytes: number;
  eventRetentionSeconds: number;
  retryScheduleSeconds: number[];
  minDelayAfterThrottleSeconds: number;
  sweepAfterSeconds: number;
  peakEventsPerSecond: number;
}

/** The defaults documented on {@link GatewayConfig} and {@link DestinationConfig}. */
export const GATEWAY_CONFIG_DEFAULTS = {
  maxBodyBytes: 5_242_880,
  eventRetentionSeconds: 2_592_000,
  retryScheduleSeconds: DEFAULT_RETRY_SCHEDULE_SECONDS,
  minDelayAfterThrottleSeconds: 60,
  sweepAfterSeconds: 120,
  peakEventsPerSecond: DEFAULT_PEAK_EVENTS_PER_SECOND,
  destinationTimeoutMs: 10_000,
} as const;

// 5 MiB, also the default. A body above the inline limit goes to S3, so DynamoDB's 400 KB item no longer bounds it;
// what does is the intake's synchronous invocation: its request payload is at most 6 MB
// (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html), and an API Gateway HTTP API event
// carries the body besides headers and context: a 5 MiB JSON body (passed as text) leaves ~0.7 MB for them. A binary
// body is passed base64-encoded (4/3 larger): above ~4.4 MB Lambda refuses it before the intake runs (a 5xx to the
// sender, nothing stored).
// The HTTP API itself takes 10 MB (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html).
const MAX_BODY_BYTES_LIMIT = 5_242_880;
// 200 listing shards at most: the sweeper's every-minute walk queries each of them, and stays cheap.
const MAX_PEAK_EVENTS_PER_SECOND = 100_000;
// A Lambda runs for at most 15 minutes: a longer request timeout could never be reached.
const MAX_DESTINATION_TIMEOUT_MS = 900_000;
const ID_PATTERN_TEXT = "^[a-z0-9][a-z0-9-]{0,62}$";
const TOP_LEVEL_FIELDS = [
  "providers",
  "destinations",
  "maxBodyBytes",
  "eventRetentionSeconds",
  "retryScheduleSeconds",
  "minDelayAfterThrottleSeconds",
  "sweepAfterSeconds",
  "peakEventsPerSecond",
];
const DESTINATION_FIELDS = [
  "id",
  "url",
  "providers",
  "events",
  "signingSecrets",
  "timeoutMs",
  "maxConcurrency",
  "circuitBreaker",
];
// An SQS event source mapping's MaximumConcurrency range.
const MIN_MAX_CONCURRENCY = 2;
const MAX_MAX_CONCURRENCY = 1000;
// Patterns are part of the Lambdas' environment (4 KB in all, `validateDeploymentConfig`): dozens, not thousands.
const MAX_EVENT_PATTERNS = 100;

/**
 * Validates parsed configuration JSON into a {@link ResolvedGatewayConfig}.
 * @throws {@link InvalidConfigurationError} whose message starts with the field path,
 *   e.g. `providers.stripe.secrets[0]: expected { env } or { secretArn }`
 */
export function parseGatewayConfig(value: unknown): ResolvedGatewayConfig {
  const fields = readObject(value, "", TOP_LEVEL_FIELDS);
  const providers = parseProviders(fields.providers);
  const providerNames = Object.keys(providers);
  const destinations = parseDestinations(fields.destinations, providers);
  for (const provider of providerNames) {
    if (!destinations.some((destination) => destination.providers.includes(provider))) {
      // Its events would be accepted and acknowledged, then sent nowhere.
      throw new InvalidConfigurationError(fieldPath("providers", provider), "no destination receives its events");
    }
  }
  const retryScheduleSeconds = parseRetryScheduleField(fields.retryScheduleSeconds);
  const eventRetentionSeconds = readPositiveInteger(
    fields.eventRetentionSeconds,
    "eventRetentionSeconds",
    GATEWAY_CONFIG_DEFAULTS.eventRetentionSeconds,
  );
  const retryWindowSeconds = retryScheduleSeconds.reduce((sum, seconds) => sum + seconds, 0);
  if (eventRetentionSeconds <= retryWindowSeconds) {
    throw new InvalidConfigurationError(
      "eventRetentionSeconds",
      `${eventRetentionSeconds} is not longer than the retry schedule (${retryWindowSeconds} s): events would expire before their last delivery attempt`,
    );
  }
  const maxBodyBytes = readPositiveInteger(
    fields.maxBodyBytes,
    "maxBodyBytes",
    GATEWAY_CONFIG_DEFAULTS.maxBodyBytes,
    MAX_BODY_BYTES_LIMIT,
  );
  assertItemsFit(providerNames, destinations);
  return {
    providers,
    destinations,
    maxBodyBytes,
    eventRetentionSeconds,
    retryScheduleSeconds,
    minDelayAfterThrottleSeconds: readPositiveInteger(
      fields.minDelayAfterThrottleSeconds,
      "minDelayAfterThrottleSeconds",
      GATEWAY_CONFIG_DEFAULTS.minDelayAfterThrottleSeconds,
      MAX_RETRY_DELAY_SECONDS,
    ),
    sweepAfterSeconds: readPositiveInteger(
      fields.sweepAfterSeconds,
      "sweepAfterSeconds",
      GATEWAY_CONFIG_DEFAULTS.sweepAfterSeconds,
    ),
    peakEventsPerSecond: readPositiveInteger(
      fields.peakEventsPerSecond,
      "peakEventsPerSecond",
      GATEWAY_CONFIG_DEFAULTS.peakEventsPerSecond,
      MAX_PEAK_EVENTS_PER_SECOND,
    ),
  };
}

function assertItemsFit(providerNames: string[], destinations: ResolvedDestinationConfig[]): void {
  const limit = maxDestinationsPerEvent();
  for (const provider of providerNames) {
    const count = destinations.filter((destination) => destination.providers.includes(provider)).length;
    if (count > limit) {
      throw new InvalidConfigurationError(
        fieldPath("providers", provider),
        `its events go to ${count} destinations, but an event's state item fits DynamoDB's 400 KB for at most ${limit}: split destinations`,
      );
    }
  }
}

function parseProviders(value: unknown): Record<string, ProviderScheme> {
  const entries = Object.entries(readObject(value, "providers"));
  if (entries.length === 0) throw new InvalidConfigurationError("providers", "expected at least one provider");
  const providers: Record<string, ProviderScheme> = {};
  for (const [name, scheme] of entries) {
    const path = fieldPath("providers", name);
    if (!PROVIDER_NAME_PATTERN.test(name)) {
      throw new InvalidConfigurationError(path, `provider names must match ${ID_PATTERN_TEXT}`);
    }
    providers[name] = parseProviderScheme(scheme, path);
  }
  return providers;
}

function parseDestinations(value: unknown, providers: Record<string, ProviderScheme>): ResolvedDestinationConfig[] {
  const providerNames = Object.keys(providers);
  const seen = new Set<string>();
  return readNonEmptyArray(value, "destinations").map((entry, index) => {
    const path = `destinations[${index}]`;
    const fields = readObject(entry, path, DESTINATION_FIELDS);
    const id = readString(fields.id, `${path}.id`, PROVIDER_NAME_PATTERN, `an id matching ${ID_PATTERN_TEXT}`);
    if (seen.has(id)) throw new InvalidConfigurationError(`${path}.id`, `duplicate destination id "${id}"`);
    seen.add(id);
    const destinationProviders = parseDestinationProviders(fields.providers, `${path}.providers`, providerNames);
    const events =
      fields.events === undefined
        ? undefined
        : parseEventPatterns(fields.events, `${path}.events`, destinationProviders, providers);
    return {
      id,
      url: readDestinationUrl(fields.url, `${path}.url`),
      providers: destinationProviders,
      ...(events !== undefined && { events }),
      signingSecrets: readSecretRefs(fields.signingSecrets, `${path}.signingSecrets`),
      timeoutMs: readPositiveInteger(
        fields.timeoutMs,
        `${path}.timeoutMs`,
        GATEWAY_CONFIG_DEFAULTS.destinationTimeoutMs,
        MAX_DESTINATION_TIMEOUT_MS,
      ),
      ...(fields.maxConcurrency !== undefined && {
        maxConcurrency: readMaxConcurrency(fields.maxConcurrency, `${path}.maxConcurrency`),
      }),
      circuitBreaker: parseCircuitBreaker(fields.circuitBreaker, `${path}.circuitBreaker`),
    };
  });
}

function readMaxConcurrency(value: unknown, path: string): number {
  const concurrency = readPositiveInteger(value, path, MIN_MAX_CONCURRENCY, MAX_MAX_CONCURRENCY);
  if (concurrency < MIN_MAX_CONCURRENCY) {
    // Lambda refuses a ScalingConfig under 2; one at a time is what a FIFO queue would be for.
    throw new InvalidConfigurationError(path, `expected a whole number from 2 to 1000 (SQS event sources), got 1`);
  }
  return concurrency;
}

function parseDestinationProviders(value: unknown, path: string, providerNames: string[]): string[] {
  if (value === undefined) return [...providerNames];
  const providers = readNonEmptyArray(value, path).map((name, index) => {
    const entryPath = `${path}[${index}]`;
    const provider = readString(name, entryPath);
    if (!providerNames.includes(provider)) {
      throw new InvalidConfigurationError(entryPath, `unknown provider "${provider}" (not in providers)`);
    }
    return provider;
  });
  return [...new Set(providers)];
}

function parseEventPatterns(
  value: unknown,
  path: string,
  destinationProviders: string[],
  providers: Record<string, ProviderScheme>,
): string[] {
  if (Array.isArray(value) && value.length === 0) {
    throw new InvalidConfigurationError(
      path,
      "an empty filter would receive nothing: omit events to receive every event",
    );
  }
  const patterns = readNonEmptyArray(value, path);
  if (patterns.length > MAX_EVENT_PATTERNS) {
    throw new InvalidConfigurationError(
      path,
      `expected at most ${MAX_EVENT_PATTERNS} patterns, got ${patterns.length}`,
    );
  }
  for (const provider of destinationProviders) {
    const scheme = providers[provider];
    if (scheme?.scheme === "generic" && scheme.eventType === undefined) {
      // Its events have no type: the filter could never match one, and every event would be UNROUTED.
      throw new InvalidConfigurationError(
        path,
        `provider "${provider}" (generic) has no event type to filter on: set providers.${provider}.eventType to { header } or { jsonPath }, or leave it out of this destination's providers`,
      );
    }
  }
  return [
    ...new Set(
      patterns.map((pattern, index) => {
        const problem = eventPatternProblem(pattern);
        if (problem !== undefined) throw new InvalidConfigurationError(`${path}[${index}]`, problem);
        return pattern as string;
      }),
    ),
  ];
}

function parseRetryScheduleField(value: unknown): number[] {
  if (value === undefined) return [...GATEWAY_CONFIG_DEFAULTS.retryScheduleSeconds];
  if (!Array.isArray(value))
    throw new InvalidConfigurationError("retryScheduleSeconds", "expected an array of seconds");
  try {
    assertRetrySchedule(value);
  } catch (error) {
    if (!(error instanceof InvalidRetryScheduleError)) throw error;
    throw new InvalidConfigurationError("retryScheduleSeconds", error.message, { cause: error });
  }
  return [...value];
}
