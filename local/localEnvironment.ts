import { ENV } from "../lambdas/shared/environment.ts";
import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";

/**
 * Environment variables of the local stack (besides the secrets, see `localSecrets.ts`). Each one is optional;
 * its default is documented here and in the README.
 */
export const LOCAL_ENV = {
  /** Port of the HTTP front on 127.0.0.1 (the `--port` flag wins). @default 4000 */
  port: "ONCEGATE_PORT",
  /** Comma-separated destination URLs; `demo` is the demo consumer. @default "demo" */
  destinations: "ONCEGATE_DESTINATIONS",
  /** Seconds between delivery attempts, comma-separated. @default "1,2,4,8,16,32,64" (8 attempts) */
  retrySchedule: ENV.retrySchedule,
  /** Per-request timeout of every destination, in milliseconds. @default 10000 */
  destinationTimeoutMs: "ONCEGATE_DESTINATION_TIMEOUT_MS",
  /** Seconds between two runs of the sweeper. @default 60 */
  sweepIntervalSeconds: "ONCEGATE_SWEEP_INTERVAL_SECONDS",
  /** Age after which the sweeper re-enqueues an event still RECEIVED. @default 10 */
  sweepAfterSeconds: "ONCEGATE_SWEEP_AFTER_SECONDS",
  /**
   * Milliseconds the demo consumer's handler takes, after the SDK's claim: set it above the destination timeout to
   * see a slow consumer (timeout, retry with the same key, 409 while the first run goes on, then the replay).
   * At most 20 000, well inside the consumer's 30 s timeout. @default 0
   */
  demoConsumerDelayMs: "ONCEGATE_DEMO_CONSUMER_DELAY_MS",
  /**
   * Comma-separated event ids whose first run of the demo consumer's handler throws (per stack process): the SDK
   * marks the key FAILED (`onError: "fail"`), answers 500, then `422 previously_failed`, and the destination ends
   * FAILED; `npx oncegate keys release` lets the next delivery run it again. @default none
   */
  demoConsumerFail: "ONCEGATE_DEMO_CONSUMER_FAIL",
  /** A crash point (see `crashPoints.ts`). @default none */
  crashAt: "ONCEGATE_CRASH_AT",
  /** `true`: the original WebhookGate demo's switch, an alias of `ONCEGATE_CRASH_AT=consumer:after-effect`. */
  crashOnce: "CRASH_ONCE",
} as const;

/** Local defaults: quick enough for a demo, unlike the AWS ones. */
export const LOCAL_DEFAULTS = {
  port: 4000,
  destinations: "demo",
  retryScheduleSeconds: [1, 2, 4, 8, 16, 32, 64],
  sweepIntervalSeconds: 60,
  // An intake invocation takes milliseconds here: an event still RECEIVED after 10 s was abandoned by a crash.
  sweepAfterSeconds: 10,
  minDelayAfterThrottleSeconds: 1,
  demoConsumerDelayMs: 0,
  // The demo consumer's Lambda gives it 30 s: a handler that slept longer would be cut short by its own timeout.
  maxDemoConsumerDelayMs: 20_000,
} as const;

/**
 * A whole number from `min` to `max` read from the variable `name`, or `fallback` when it is unset or empty.
 * @throws InvalidConfigurationError naming the variable
 */
export function integerFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  { min = 1, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const text = env[name]?.trim();
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidConfigurationError(
      name,
      `expected a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}
