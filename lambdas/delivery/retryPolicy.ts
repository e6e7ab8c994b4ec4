import { retryAfterSeconds } from "./retryAfter.ts";
import { assertRetrySchedule, maxAttempts } from "./retrySchedule.ts";

/** What one POST to a consumer produced. */
export type AttemptOutcome =
  | { kind: "response"; status: number; retryAfterHeader?: string }
  | { kind: "timeout" }
  | { kind: "network-error"; code?: string };

/** What to do with a delivery after an attempt. */
export type Decision =
  | { action: "delivered" }
  | { action: "retry"; delaySeconds: number; reason: string }
  | { action: "dead"; reason: string }
  | { action: "failed"; reason: string; flagDestination: boolean };

/** Everything {@link decideAfterAttempt} needs besides the outcome; injected so the decision stays pure. */
export interface AttemptContext {
  /** 1-based number of the attempt just made. */
  attempt: number;
  /** Seconds to wait before each retry, e.g. `DEFAULT_RETRY_SCHEDULE_SECONDS`. */
  schedule: readonly number[];
  /** Uniform in [0, 1): `Math.random` in production, a constant in tests. */
  random: () => number;
  /** Current time, against which a `Retry-After` date is measured. */
  nowMs: number;
  /** Least delay after a 429 or a timeout, whatever the schedule says; local stacks lower it. @default 60 */
  minDelayAfterThrottleSeconds?: number;
}

/** Least delay after a 429 or a timeout: a consumer that throttles or stalls needs more than seconds to recover. */
export const DEFAULT_MIN_DELAY_AFTER_THROTTLE_SECONDS = 60;

/**
 * Longest delay a retry waits, whether the schedule's jittered step or a consumer's `Retry-After` asks for more:
 * 24 hours. A delay is no longer bounded by SQS's 12-hour visibility limit: the delivery Lambda serves it over
 * several receives (the event stores when the attempt is due), and those receives are no attempts.
 */
export const MAX_HONOURED_RETRY_AFTER_SECONDS = 86_400;

/** Spread of the random jitter around the schedule's delay: ±20 %. */
export const RETRY_JITTER_FRACTION = 0.2;

// 408 Request Timeout, 409 Conflict (the consumer SDK is still processing this key), 425 Too Early, 429 Too Many
// Requests: the consumer asks to try again later. Every other 4xx means this request will never succeed.
const RETRYABLE_CLIENT_ERRORS: ReadonlySet<number> = new Set([408, 409, 425, 429]);
const GONE = 410;

type Classification =
  | { kind: "delivered" }
  | { kind: "permanent"; reason: string; flagDestination: boolean }
  | { kind: "retryable"; reason: string; throttled: boolean; retryAfterHeader?: string };

/** Stable, human-readable name of an outcome: `http_503`, `timeout`, `network_error:ECONNREFUSED`. */
export function outcomeReason(outcome: AttemptOutcome): string {
  switch (outcome.kind) {
    case "response":
      return `http_${outcome.status}`;
    case "timeout":
      return "timeout";
    case "network-error": {
      // The code comes from the HTTP client; keep the reason one log-safe token whatever it holds.
      const code = (outcome.code ?? "").replace(/[^A-Za-z0-9_.-]/g, "_").slice(0, 64);
      return code === "" ? "network_error" : `network_error:${code}`;
    }
  }
}

/**
 * Classifies an attempt's outcome and decides between delivered, retry (after how long), dead and failed.
 *
 * 2xx is delivered. 408, 409, 425, 429, 3xx, 5xx, any unexpected status, timeouts and network errors are
 * retried; once `attempt` reaches `maxAttempts(schedule)` they are dead instead. 410 fails and flags the
 * destination; every other 4xx (422 is the consumer SDK's `previously_failed`) fails.
 *
 * The delay is `schedule[attempt - 1]` with uniform ±20 % jitter. After a 429 or a timeout it is at least
 * `minDelayAfterThrottleSeconds` (jittered upwards by up to 20 % so throttled retries do not all land on the same
 * second). A `Retry-After` header (seconds or IMF-fixdate) can lengthen the delay, never shorten it. The result is
 * rounded to whole seconds and capped at {@link MAX_HONOURED_RETRY_AFTER_SECONDS} (24 h): a consumer asking for a
 * week would hold the job past the queue's retention.
 */
export function decideAfterAttempt(outcome: AttemptOutcome, context: AttemptContext): Decision {
  const { attempt, schedule, nowMs } = context;
  const minDelayAfterThrottleSeconds = context.minDelayAfterThrottleSeconds ?? DEFAULT_MIN_DELAY_AFTER_THROTTLE_SECONDS;
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be an integer ≥ 1, got ${attempt}`);
  if (!Number.isFinite(nowMs)) throw new RangeError(`nowMs must be a finite number, got ${nowMs}`);
  if (!Number.isInteger(minDelayAfterThrottleSeconds) || minDelayAfterThrottleSeconds < 0) {
    throw new RangeError(`minDelayAfterThrottleSeconds must be an integer ≥ 0, got ${minDelayAfterThrottleSeconds}`);
  }
  assertRetrySchedule(schedule);

  const classification = classify(outcome);
  if (classification.kind === "delivered") return { action: "delivered" };
  if (classification.kind === "permanent") {
    return { action: "failed", reason: classification.reason, flagDestination: classification.flagDestination };
  }
  // `>=` rather than `===`: a schedule shortened by a deploy between two attempts must still end the retries.
  if (attempt >= maxAttempts(schedule)) return { action: "dead", reason: classification.reason };

  const random = drawRandom(context.random);
  const scheduledSeconds = schedule[attempt - 1] ?? 0;
  let delaySeconds = scheduledSeconds * (1 - RETRY_JITTER_FRACTION + 2 * RETRY_JITTER_FRACTION * random);
  if (classification.throttled && delaySeconds < minDelayAfterThrottleSeconds) {
    delaySeconds = minDelayAfterThrottleSeconds * (1 + RETRY_JITTER_FRACTION * random);
  }
  const askedSeconds = retryAfterSeconds(classification.retryAfterHeader, nowMs);
  if (askedSeconds !== undefined) {
    delaySeconds = Math.max(delaySeconds, Math.min(askedSeconds, MAX_HONOURED_RETRY_AFTER_SECONDS));
  }
  return {
    action: "retry",
    delaySeconds: Math.min(MAX_HONOURED_RETRY_AFTER_SECONDS, Math.max(0, Math.round(delaySeconds))),
    reason: classification.reason,
  };
}

function classify(outcome: AttemptOutcome): Classification {
  const reason = outcomeReason(outcome);
  if (outcome.kind !== "response") return { kind: "retryable", reason, throttled: outcome.kind === "timeout" };
  const { status, retryAfterHeader } = outcome;
  if (status >= 200 && status <= 299) return { kind: "delivered" };
  if (status === GONE) return { kind: "permanent", reason, flagDestination: true };
  if (status >= 400 && status <= 499 && !RETRYABLE_CLIENT_ERRORS.has(status)) {
    return { kind: "permanent", reason, flagDestination: false };
  }
  // 3xx, 5xx and statuses no consumer should send are retried: delivery is at-least-once and the consumer
  // deduplicates on the Idempotency-Key, so a needless retry costs little and a wrong "failed" loses an event.
  return { kind: "retryable", reason, throttled: status === 429, retryAfterHeader };
}

function drawRandom(random: () => number): number {
  const value = random();
  if (!(value >= 0 && value < 1)) throw new RangeError(`random() must return a number in [0, 1), got ${value}`);
  return value;
}
