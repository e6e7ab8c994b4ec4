import { type StoreErrorKind, storeErrorKind } from "./storeErrors.ts";

/**
 * Bounded retries of a settle write (completion, failure, release) inside the time the invocation has left.
 * The AWS SDK already retries throttling and 5xx a few times within one call; this outer loop covers what it does
 * not (a `TransactionCanceledException` for a transaction conflict) and an answer lost after the SDK gave up.
 * Safe because every settle write is conditional on our owner token and the transaction carries a
 * `ClientRequestToken`: a retry of a write that was applied finds it applied.
 */
export interface RetryBudget {
  /** Milliseconds the invocation may still spend (Lambda's remaining time less a margin), read before each retry. */
  timeLeftMs: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** For jitter; tests pass a seeded one. */
  random?: () => number;
}

/** At most this many tries of one settle write. */
export const MAX_SETTLE_TRIES = 5;
const BASE_DELAY_MS = 25;
const MAX_DELAY_MS = 400;
/** A retry is started only if this much time is left after its backoff: enough for one more DynamoDB call. */
export const SETTLE_CALL_RESERVE_MS = 250;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The last failure, its kind, and whether any try before it had an unknown outcome (it may have been applied). */
export type RetriedFailure = { error: unknown; kind: StoreErrorKind; tries: number; sawUnknown: boolean };

/**
 * Runs `attempt` until it resolves, fails with a `refused` error, or the tries or the time run out.
 * @returns the value, or the last failure with its kind
 */
export async function withSettleRetries<T>(
  budget: RetryBudget,
  attempt: () => Promise<T>,
): Promise<{ ok: true; value: T } | ({ ok: false } & RetriedFailure)> {
  const sleep = budget.sleep ?? defaultSleep;
  const random = budget.random ?? Math.random;
  let sawUnknown = false;
  for (let tries = 1; ; tries++) {
    try {
      return { ok: true, value: await attempt() };
    } catch (error) {
      const kind = storeErrorKind(error);
      const failure = { ok: false as const, error, kind, tries, sawUnknown };
      if (kind === "refused" || tries >= MAX_SETTLE_TRIES) return failure;
      // Full jitter: conflicting writers that collided once should not collide again in lockstep.
      const delayMs = Math.floor(random() * Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** tries));
      if (budget.timeLeftMs() < delayMs + SETTLE_CALL_RESERVE_MS) return failure;
      if (kind === "unknown") sawUnknown = true;
      await sleep(delayMs);
    }
  }
}
