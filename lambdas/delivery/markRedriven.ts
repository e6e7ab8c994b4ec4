import type { DestinationStatus } from "../shared/eventRecord.ts";
import { redrivenState } from "./attemptPlan.ts";
import { type DeliveryTable, readEvent, recordDestinationTransition, writeOverallStatus } from "./deliveryStore.ts";
import { deriveOverallStatus, destinationStatusesOf, overallStatusChange } from "./overallStatus.ts";
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
  const item = await readEvent(table, pk);
  if (item === undefined) return { kind: "missing" };
  const current = item.destinations?.[destination];
  if (current?.status !== "DEAD") return markOf(current?.status ?? "PENDING");
  const updated = await recordDestinationTransition(table, item, destination, (state) =>
    state?.status === "DEAD"
      ? redrivenState(state, retryScheduleSeconds)
      : (state ?? { status: "PENDING", attempts: 0 }),
  );
  if (updated === undefined) return { kind: "missing" };
  const now = updated.destinations[destination]?.status ?? "PENDING";
  // A delivery settled it between our read and our write: its outcome stands.
  if (now !== "PENDING") return markOf(now);
  const change = overallStatusChange(updated.status, deriveOverallStatus(destinationStatusesOf(updated)));
  // Conditional on the version we wrote: if a delivery updated the event meanwhile, it writes its own status.
  if (change !== undefined) await writeOverallStatus(table, updated, change, updated.version ?? 0);
  return { kind: "redriven", previous: "DEAD" };
}

function markOf(status: DestinationStatus): RedriveMark {
  return status === "DELIVERED" || status === "FAILED" ? { kind: "settled", status } : { kind: "pending" };
}
