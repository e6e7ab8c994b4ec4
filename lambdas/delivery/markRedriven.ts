import type { DestinationStatus } from "../shared/eventRecord.ts";
import { redrivenState } from "./attemptPlan.ts";
import type { DeliveryTable } from "./deliveryStore.ts";
import { reopenDestination } from "./reopenDestination.ts";
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from "./retrySchedule.ts";

/**
 * What {@link markRedriven} found and did:
 * - `redriven`: the destination was DEAD; it is PENDING now with one more round of attempts, and the event's status
 *   follows (QUEUED while it is delivered again);
 * - `pending`: it was not settled (its job reached the dead-letter queue without the delivery recording an end):
 *   a job for it is simply delivered, nothing to write;
 * - `settled`: DELIVERED or FAILED, final: a job for it would be dropped;
 * - `missing`: there is no such event (expired by TTL): a job for it would be dropped.
 */
export type RedriveMark =
  | { kind: "redriven"; previous: "DEAD" }
  | { kind: "pending" }
  | { kind: "settled"; status: Exclude<DestinationStatus, "PENDING" | "DEAD"> }
  | { kind: "missing" };

/**
 * The operator's one write to an event's delivery state: before a dead job is sent back to the delivery queue, its
 * destination leaves DEAD (`redrivenState`, the same round the delivery Lambda opens for a redrive it notices
 * itself), so the event never reads DEAD while it is being delivered again. The delivery Lambda then receives a job
 * for a PENDING destination and delivers it as any other; a duplicate of that job is harmless (it finds the
 * destination settled, or not due, as for any duplicate).
 *
 * `retryScheduleSeconds` is the delivery Lambda's schedule; it only sizes the round (`REDRIVE_ATTEMPTS`, fewer when
 * the schedule allows fewer attempts in all). Conditional writes throughout (`recordDestinationTransition`): a
 * delivery finishing meanwhile is never overwritten, and marking an already redriven destination writes nothing.
 */
export async function markRedriven(
  table: DeliveryTable,
  pk: string,
  destination: string,
  retryScheduleSeconds: readonly number[] = DEFAULT_RETRY_SCHEDULE_SECONDS,
): Promise<RedriveMark> {
  const result = await reopenDestination(table, pk, destination, ["DEAD"], (state) =>
    redrivenState(state, retryScheduleSeconds),
  );
  if (result.kind === "missing") return result;
  return result.kind === "reopened" ? { kind: "redriven", previous: "DEAD" } : markOf(result.status);
}

function markOf(status: DestinationStatus): RedriveMark {
  return status === "DELIVERED" || status === "FAILED" ? { kind: "settled", status } : { kind: "pending" };
}
