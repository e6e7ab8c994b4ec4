import type { DestinationState } from "../shared/eventRecord.ts";
import { maxAttempts } from "./retrySchedule.ts";

/**
 * Attempts are counted from the event's stored state (`attempts`, one per recorded POST), never from SQS's
 * receive count: a receive that found the store unreachable, or that only waited out a long delay, made no POST
 * and consumes nothing.
 *
 * A destination's attempts come in rounds. The first round follows the whole schedule. A job for a DEAD destination
 * that is not the message that died (SQS gives a redriven message a new message id) is a redrive: it opens one more
 * round of {@link REDRIVE_ATTEMPTS} attempts, spaced like the first steps of the schedule. An operator redrives once
 * the consumer is fixed: a short round tells within minutes whether it is.
 */

/** Attempts one redrive grants, on top of those already made. */
export const REDRIVE_ATTEMPTS = 3;

/** The next POST of a destination: its number overall, and its place in the current round. */
export interface AttemptPlan {
  /** 1-based number over the destination's whole life (sent as `Oncegate-Attempt`). */
  attempt: number;
  /** 1-based number within the current round: what the retry policy decides on. */
  roundAttempt: number;
  /** The delays of the current round. */
  roundSchedule: readonly number[];
}

/** Attempts the destination may make in all (the first round's, plus every redrive's). */
export function attemptLimitOf(state: DestinationState | undefined, schedule: readonly number[]): number {
  return state?.attemptLimit ?? maxAttempts(schedule);
}

/** The next attempt, or `undefined` when the attempts granted so far are all made. */
export function planNextAttempt(
  state: DestinationState | undefined,
  schedule: readonly number[],
): AttemptPlan | undefined {
  const made = state?.attempts ?? 0;
  const roundStart = state?.roundStartAttempts ?? 0;
  const limit = attemptLimitOf(state, schedule);
  if (made >= limit) return undefined;
  const roundSchedule = roundStart === 0 ? schedule : schedule.slice(0, limit - roundStart - 1);
  return { attempt: made + 1, roundAttempt: made - roundStart + 1, roundSchedule };
}

/**
 * The state a redrive leaves: PENDING again, with one more round of attempts, due now. It no longer holds the
 * record of the attempt that took it DEAD (`settledByAttempt`): the store keeps that one as an attempt item.
 */
export function redrivenState(state: DestinationState, schedule: readonly number[]): DestinationState {
  return { ...reopenedState(state, schedule, "redrive"), redrives: (state.redrives ?? 0) + 1 };
}

/**
 * The state a replay leaves: PENDING again from any settled status, with one more round of attempts (as many as a
 * redrive's), due now, its first attempt marked `replay`; `lastReplay` says when, by whom, in which bulk run.
 */
export function replayedState(
  state: DestinationState,
  schedule: readonly number[],
  by: { atMs: number; by: string; runId?: string },
): DestinationState {
  return { ...reopenedState(state, schedule, "replay"), replays: (state.replays ?? 0) + 1, lastReplay: by };
}

function reopenedState(
  state: DestinationState,
  schedule: readonly number[],
  trigger: "redrive" | "replay",
): DestinationState {
  const {
    deadMessageId: _dead,
    nextAttemptAtMs: _due,
    reason: _reason,
    settledByAttempt: _settled,
    flagged: _flagged,
    ...kept
  } = state;
  const round = Math.min(REDRIVE_ATTEMPTS, maxAttempts(schedule));
  return {
    ...kept,
    status: "PENDING",
    roundStartAttempts: state.attempts,
    attemptLimit: state.attempts + round,
    roundTrigger: trigger,
  };
}

/** Whether a job for a DEAD destination is a redrive rather than the very message that died, on its way out. */
export function isRedrive(state: DestinationState, messageId: string): boolean {
  return state.status === "DEAD" && state.deadMessageId !== messageId;
}
