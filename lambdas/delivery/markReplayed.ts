import type { DestinationStatus } from "../shared/eventRecord.ts";
import { replayedState } from "./attemptPlan.ts";
import type { DeliveryTable } from "./deliveryStore.ts";
import { reopenDestination } from "./reopenDestination.ts";
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from "./retrySchedule.ts";

/** Who replays, and as part of which bulk run (`oncegate events recover`), for the destination's `lastReplay`. */
export interface ReplayBy {
  atMs: number;
  by: string;
  runId?: string;
}

/** The statuses a replay reopens: every settled one. A PENDING destination is being delivered already. */
export const REPLAYABLE_STATUSES: readonly DestinationStatus[] = ["DELIVERED", "FAILED", "DEAD"];

/**
 * What {@link markReplayed} did: `replayed` (the destination was settled, it is PENDING now with one more round of
 * attempts whose first is sent with `Oncegate-Attempt-Trigger: replay`); `awaiting` (an earlier replay reopened it
 * and its first attempt is not made yet: its job may never have been sent, so the caller sends one again, a
 * harmless duplicate if it was); `pending` (it is being delivered: nothing to replay); `missing` (no such event).
 */
export type ReplayMark =
  | { kind: "replayed"; previous: Exclude<DestinationStatus, "PENDING"> }
  | { kind: "awaiting" }
  | { kind: "pending" }
  | { kind: "missing" };

/**
 * The operator's write before a replay's job is sent: the destination leaves its settled status for a new round
 * (`replayedState`), keeping every attempt made so far. The delivery Lambda then POSTs the stored body again with
 * the same `Idempotency-Key` and `webhook-id`: the consumer's SDK answers with its stored result, or runs the
 * handler if the operator released the key. Conditional like `markRedriven` (`reopenDestination`).
 */
export async function markReplayed(
  table: DeliveryTable,
  pk: string,
  destination: string,
  by: ReplayBy,
  retryScheduleSeconds: readonly number[] = DEFAULT_RETRY_SCHEDULE_SECONDS,
): Promise<ReplayMark> {
  const result = await reopenDestination(table, pk, destination, REPLAYABLE_STATUSES, (state) =>
    replayedState(state, retryScheduleSeconds, by),
  );
  if (result.kind === "missing") return result;
  if (result.kind === "kept") {
    const state = result.state;
    const awaiting =
      state?.status === "PENDING" && state.roundTrigger === "replay" && state.attempts === state.roundStartAttempts;
    return { kind: awaiting ? "awaiting" : "pending" };
  }
  return { kind: "replayed", previous: result.previous as Exclude<DestinationStatus, "PENDING"> };
}
