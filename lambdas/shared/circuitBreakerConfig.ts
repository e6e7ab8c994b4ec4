import { readObject, readPositiveInteger } from "./configFields.ts";
import { InvalidConfigurationError } from "./errors.ts";

/**
 * When a destination's circuit opens: after `consecutiveFailures` failed attempts in a row, or when at least
 * `minimumAttempts` attempts in the last `windowSeconds` failed at `failureRatePercent` or more. Open, the delivery
 * makes no attempt (none is consumed) and holds the destination's jobs until a probe is due, `probeAfterSeconds`
 * later (doubled after each failed probe, up to `maxProbeAfterSeconds`); a probe that succeeds closes it.
 * A failure is an answer that says the destination is unwell: no answer (refused, reset, timed out), a 5xx, 408
 * or 429. A 4xx is the destination answering: it fails that event, not the circuit.
 */
export interface CircuitBreakerConfig {
  /** @default 10 */
  consecutiveFailures?: number;
  /** @default 70 */
  failureRatePercent?: number;
  /** @default 60 */
  windowSeconds?: number;
  /** @default 20 */
  minimumAttempts?: number;
  /** @default 30 */
  probeAfterSeconds?: number;
  /** @default 600 */
  maxProbeAfterSeconds?: number;
}

export type ResolvedCircuitBreaker = Required<CircuitBreakerConfig>;

/** Convoy's and Svix's orders of magnitude: a burst of a few failures never opens it, a dead endpoint does in seconds. */
export const CIRCUIT_BREAKER_DEFAULTS: ResolvedCircuitBreaker = {
  consecutiveFailures: 10,
  failureRatePercent: 70,
  windowSeconds: 60,
  minimumAttempts: 20,
  probeAfterSeconds: 30,
  maxProbeAfterSeconds: 600,
};

const FIELDS = Object.keys(CIRCUIT_BREAKER_DEFAULTS);
// A probe must come back within a job's longest hide (12 h in SQS), and a window longer than a day says nothing.
const MAX_SECONDS = 43_200;

/**
 * `destinations[].circuitBreaker`: absent → the defaults, `false` → no breaker (every attempt is made), an object →
 * its fields over the defaults.
 * @throws InvalidConfigurationError naming the field
 */
export function parseCircuitBreaker(value: unknown, path: string): ResolvedCircuitBreaker | false {
  if (value === false) return false;
  if (value === undefined) return { ...CIRCUIT_BREAKER_DEFAULTS };
  const fields = readObject(value, path, FIELDS);
  const read = (name: keyof ResolvedCircuitBreaker, max: number) =>
    readPositiveInteger(fields[name], `${path}.${name}`, CIRCUIT_BREAKER_DEFAULTS[name], max);
  const breaker: ResolvedCircuitBreaker = {
    consecutiveFailures: read("consecutiveFailures", 1000),
    failureRatePercent: read("failureRatePercent", 100),
    windowSeconds: read("windowSeconds", MAX_SECONDS),
    minimumAttempts: read("minimumAttempts", 100_000),
    probeAfterSeconds: read("probeAfterSeconds", MAX_SECONDS),
    maxProbeAfterSeconds: read("maxProbeAfterSeconds", MAX_SECONDS),
  };
  if (breaker.maxProbeAfterSeconds < breaker.probeAfterSeconds) {
    throw new InvalidConfigurationError(
      `${path}.maxProbeAfterSeconds`,
      `${breaker.maxProbeAfterSeconds} is shorter than probeAfterSeconds (${breaker.probeAfterSeconds})`,
    );
  }
  return breaker;
}
