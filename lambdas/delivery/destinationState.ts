import type { DestinationState } from "../shared/eventRecord.ts";
import type { AttemptRecord } from "./attemptRecord.ts";
import { isFinalDestinationStatus, nextDestinationStatus } from "./destinationStatus.ts";
import type { Decision } from "./retryPolicy.ts";

/** Reason stored for a destination that answered 410 Gone. */
export const GONE_REASON = "gone";
/** Reason stored when a job names a destination the configuration no longer has. */
export const UNKNOWN_DESTINATION_REASON = "unknown_destination";
/** Reason stored when a job arrives after the schedule's last attempt (the queue lets it be received again). */
export const ATTEMPTS_EXHAUSTED_REASON = "attempts_exhausted";

/**
 * The destination's state once an attempt and its decision are known. A final state (DELIVERED, FAILED) is
 * returned unchanged: a duplicate or late attempt is still listed in `attempts`, but never rewrites the outcome.
 */
export function destinationStateAfterAttempt(
  current: DestinationState | undefined,
  decision: Decision,
  attempt: AttemptRecord,
): DestinationState {
  if (current !== undefined && isFinalDestinationStatus(current.status)) return current;
  const state: DestinationState = {
    status: nextDestinationStatus(current?.status ?? "PENDING", decision),
    attempts: (current?.attempts ?? 0) + 1,
    lastAttemptAtMs: attempt.atMs,
    lastResponseBody: attempt.responseBodyExcerpt,
  };
  if (attempt.statusCode !== undefined) state.lastStatusCode = attempt.statusCode;
  if (decision.action === "failed" && decision.flagDestination) {
    state.reason = GONE_REASON;
    state.flagged = true;
  } else if (decision.action !== "delivered") {
    state.reason = decision.reason;
  }
  return state;
}

/** FAILED because the configuration no longer has the destination; what was known about earlier attempts stays. */
export function unknownDestinationState(current: DestinationState | undefined): DestinationState {
  return { ...current, status: "FAILED", attempts: current?.attempts ?? 0, reason: UNKNOWN_DESTINATION_REASON };
}

/** DEAD because the schedule allows no further attempt; what was known about earlier attempts stays. */
export function exhaustedDestinationState(current: DestinationState | undefined): DestinationState {
  return { ...current, status: "DEAD", attempts: current?.attempts ?? 0, reason: ATTEMPTS_EXHAUSTED_REASON };
}
