import { signStandardWebhook } from "../intake/signatures/standard.ts";
import { CIRCUIT_BREAKER_DEFAULTS, type ResolvedCircuitBreaker } from "../shared/circuitBreakerConfig.ts";
import { readDestinationUrl } from "../shared/destinationUrl.ts";
import { InvalidConfigurationError } from "../shared/errors.ts";
import { DEFAULT_PEAK_EVENTS_PER_SECOND, type IndexShardCounts, indexShardCounts } from "../shared/indexShards.ts";
import { GATEWAY_CONFIG_DEFAULTS } from "../shared/parseGatewayConfig.ts";
import { DEFAULT_MIN_DELAY_AFTER_THROTTLE_SECONDS } from "./retryPolicy.ts";
import { assertRetrySchedule, DEFAULT_RETRY_SCHEDULE_SECONDS } from "./retrySchedule.ts";

/** One destination as the delivery Lambda needs it: its signing secrets already resolved to their values. */
export interface DeliveryDestinationInput {
  id: string;
  url: string;
  /** `whsec_…` values; the first signs, all are sent during rotation. */
  signingSecrets: readonly string[];
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** Its circuit breaker, `false` for none. @default CIRCUIT_BREAKER_DEFAULTS */
  circuitBreaker?: ResolvedCircuitBreaker | false;
}

/**
 * What the delivery Lambda needs from the gateway configuration. A resolved `GatewayConfig` (secrets turned
 * into strings) fits it as it is; tests build one directly.
 */
export interface DeliverySettingsInput {
  destinations: readonly DeliveryDestinationInput[];
  /** @default DEFAULT_RETRY_SCHEDULE_SECONDS */
  retryScheduleSeconds?: readonly number[];
  /** @default 60 */
  minDelayAfterThrottleSeconds?: number;
  /** The configured peak (`peakEventsPerSecond`): how the events table's indexes are sharded. @default 1000 */
  peakEventsPerSecond?: number;
}

export interface DeliveryDestination {
  id: string;
  url: URL;
  signingSecrets: readonly string[];
  timeoutMs: number;
  circuitBreaker: ResolvedCircuitBreaker | false;
}

/** {@link DeliverySettingsInput} checked, with every default applied and destinations indexed by id. */
export interface DeliverySettings {
  destinations: ReadonlyMap<string, DeliveryDestination>;
  retryScheduleSeconds: readonly number[];
  minDelayAfterThrottleSeconds: number;
  indexShards: IndexShardCounts;
}

/** Per-request timeout when a destination sets none. */
export const DEFAULT_DESTINATION_TIMEOUT_MS = GATEWAY_CONFIG_DEFAULTS.destinationTimeoutMs;

/**
 * Checks the settings once, at cold start, and applies the defaults. `parseGatewayConfig` has checked a deployed
 * configuration already; this also guards settings built in code, and the secrets' values, which it never sees.
 *
 * @throws InvalidConfigurationError naming the field: a URL that is not https (or http to a loopback host), no
 *   signing secret or one that is not `whsec_` + base64, a bad timeout, a repeated id, a bad throttle floor.
 * @throws InvalidRetryScheduleError for a bad schedule.
 */
export function resolveDeliverySettings(input: DeliverySettingsInput): DeliverySettings {
  const retryScheduleSeconds = [...(input.retryScheduleSeconds ?? DEFAULT_RETRY_SCHEDULE_SECONDS)];
  assertRetrySchedule(retryScheduleSeconds);
  const minDelayAfterThrottleSeconds = input.minDelayAfterThrottleSeconds ?? DEFAULT_MIN_DELAY_AFTER_THROTTLE_SECONDS;
  if (!Number.isInteger(minDelayAfterThrottleSeconds) || minDelayAfterThrottleSeconds < 0) {
    throw new InvalidConfigurationError(
      "minDelayAfterThrottleSeconds",
      `expected a whole number ≥ 0, got ${minDelayAfterThrottleSeconds}`,
    );
  }
  const destinations = new Map<string, DeliveryDestination>();
  for (const [index, destination] of input.destinations.entries()) {
    const path = `destinations[${index}]`;
    if (destinations.has(destination.id)) {
      throw new InvalidConfigurationError(`${path}.id`, `duplicate destination id "${destination.id}"`);
    }
    destinations.set(destination.id, resolveDestination(destination, path));
  }
  const indexShards = indexShardCounts(input.peakEventsPerSecond ?? DEFAULT_PEAK_EVENTS_PER_SECOND);
  return { destinations, retryScheduleSeconds, minDelayAfterThrottleSeconds, indexShards };
}

function resolveDestination(input: DeliveryDestinationInput, path: string): DeliveryDestination {
  const url = new URL(readDestinationUrl(input.url, `${path}.url`));
  const signingSecrets = input.signingSecrets.filter((secret) => secret !== "");
  // Unsigned deliveries would let anyone who learns the URL forge events.
  if (signingSecrets.length === 0) throw new InvalidConfigurationError(`${path}.signingSecrets`, "no usable secret");
  signingSecrets.forEach((secret, index) => {
    // Found now rather than on the first delivery; the message never includes the secret itself.
    if (!isStandardWebhookSecret(secret)) {
      throw new InvalidConfigurationError(`${path}.signingSecrets[${index}]`, "expected whsec_ followed by base64");
    }
  });
  const timeoutMs = input.timeoutMs ?? DEFAULT_DESTINATION_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    throw new InvalidConfigurationError(`${path}.timeoutMs`, `expected a whole number ≥ 1, got ${timeoutMs}`);
  }
  const circuitBreaker = input.circuitBreaker ?? { ...CIRCUIT_BREAKER_DEFAULTS };
  return { id: input.id, url, signingSecrets, timeoutMs, circuitBreaker };
}

function isStandardWebhookSecret(secret: string): boolean {
  try {
    signStandardWebhook({ id: "check", timestampSec: 0, body: "", secret });
    return true;
  } catch {
    return false;
  }
}
