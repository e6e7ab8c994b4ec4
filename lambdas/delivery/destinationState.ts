import type { DestinationState } from "../shared/eventRecord.ts";
import type { AttemptRecord } from "./attemptRecord.ts";
import { isFinalDestinationStatus, isTerminalDestinationStatus, nextDestinationStatus } from "./destinationStatus.ts";
import type { Decision } from "./retryPolicy.ts";

/** Reason stored for a destination that answered 410 Gone. */
export const GONE_REASON = "gone";
/** Reason stored when a job names a destination the configuration no longer has. */
export const UNKNOWN_DESTINATION_REASON = "unknown_destination";
/** Reason stored when a job arrives after the schedule's last attempt (the queue lets it be received again). */
export const ATTEMPTS_EXHAUSTED_REASON = "attempts_exhausted";
/**
 * Reason stored when the event's S3 body cannot be read on several receives in a row (the object is missing, access
 * is denied, or its bytes fail their SHA-256): no attempt can ever send it, and none is counted against the consumer.
 */
export const BODY_UNAVAILABLE_REASON = "body_unavailable";
/** Reason stored when a job is on its last receive before SQS moves it to the dead-letter queue. */
export const DEAD_LETTERED_REASON = "dead_lettered";

/** The round and bookkeeping fields a new state carries over from the one it replaces. */
function carriedOver(current: DestinationState | undefined): Partial<DestinationState> {
  if (current === undefined) return {};
  const { attemptLimit, roundStartAttempts, redrives, replays, lastReplay } = current;
  return {
    ...(attemptLimit !== undefined && { attemptLimit }),
    ...(roundStartAttempts !== undefined && { roundStartAttempts }),
    ...(redrives !== undefined && { redrives }),
    ...(replays !== undefined && { replays }),
    ...(lastReplay !== undefined && { lastReplay }),
  };
}

/**
 * The destination's state once an attempt and its decision are known: the `last…` fields describe the attempt, and
 * when it settles the destination (DELIVERED, FAILED, DEAD) `settledByAttempt` names it, so the state is that
 * attempt's record. A final state (DELIVERED, FAILED) is returned unchanged: a duplicate or late attempt is still
 * listed (as an attempt item), but never rewrites the outcome.
 */
export function destinationStateAfterAttempt(
  current: DestinationState | undefined,
  decision: Decision,
  attempt: AttemptRecord,
  messageId?: string,
): DestinationState {
  if (current !== undefined && isFinalDestinationStatus(current.status)) return current;
  const state: DestinationState = {
    ...carriedOver(current),
    status: nextDestinationStatus(current?.status ?? "PENDING", decision),
    attempts: (current?.attempts ?? 0) + 1,
    lastAttemptAtMs: attempt.atMs,
    lastTrigger: attempt.trigger,
    lastLatencyMs: attempt.latencyMs,
    lastResponseBody: attempt.responseBodyExcerpt,
  };
  if (attempt.statusCode !== undefined) state.lastStatusCode = attempt.statusCode;
  if (attempt.error !== undefined) state.lastError = attempt.error;
  if (state.status !== "PENDING") state.settledByAttempt = attempt.attempt;
  if (decision.action === "failed" && decision.flagDestination) {
    state.reason = GONE_REASON;
    state.flagged = true;
  } else if (decision.action !== "delivered") {
    state.reason = decision.reason;
  }
  // Due counted from the attempt's end: a consumer that took 10 s to answer 503 gets its whole delay.
  if (decision.action === "retry" && state.status === "PENDING") {
    state.nextAttemptAtMs = attempt.atMs + attempt.latencyMs + decision.delaySeconds * 1000;
  }
  if (state.status === "DEAD" && messageId !== undefined) state.deadMessageId = messageId;
  return state;
}

/** FAILED because the configuration no longer has the destination; what was known about earlier attempts stays. */
export function unknownDestinationState(current: DestinationState | undefined): DestinationState {
  return { ...current, status: "FAILED", attempts: current?.attempts ?? 0, reason: UNKNOWN_DESTINATION_REASON };
}

/** DEAD because the attempts granted are all made; what was known about earlier attempts stays. */
export function exhaustedDestinationState(messageId: string) {
  return (current: DestinationState | undefined): DestinationState =>
    deadState(current, ATTEMPTS_EXHAUSTED_REASON, messageId);
}

/**
 * DEAD because SQS moves the job to the dead-letter queue (after this receive, or already did): the event must say
 * so. A settled state (DELIVERED, FAILED, or DEAD already) is returned unchanged: it may have been written since the
 * item was read (a duplicate job), and a DEAD one names the message that died, which must stay the one not taken for
 * a redrive (`isRedrive`).
 */
export function deadLetteredDestinationState(messageId: string) {
  return (current: DestinationState | undefined): DestinationState =>
    current !== undefined && isTerminalDestinationStatus(current.status)
      ? current
      : deadState(current, DEAD_LETTERED_REASON, messageId);
}

/** DEAD because the body cannot be read (`BODY_UNAVAILABLE_REASON`); a settled state is returned unchanged. */
export function bodyUnavailableDestinationState(messageId: string) {
  return (current: DestinationState | undefined): DestinationState =>
    current !== undefined && isTerminalDestinationStatus(current.status)
      ? current
      : deadState(current, BODY_UNAVAILABLE_REASON, messageId);
}

function deadState(current: DestinationState | undefined, reason: string, messageId: string): DestinationState {
  const { nextAttemptAtMs: _due, ...kept } = current ?? { attempts: 0 };
  return { ...kept, status: "DEAD", attempts: current?.attempts ?? 0, reason, deadMessageId: messageId };
}
