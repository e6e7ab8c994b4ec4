import type { DestinationState, DestinationStatus } from "../shared/eventRecord.ts";
import { type DeliveryTable, readEvent, recordDestinationTransition, writeOverallStatus } from "./deliveryStore.ts";
import { deriveOverallStatus, destinationStatusesOf, overallStatusChange } from "./overallStatus.ts";

/**
 * What {@link reopenDestination} found and did: `reopened` (the destination was in one of the statuses asked for, it
 * is PENDING now and the event's status follows, QUEUED while it is delivered again); otherwise the destination's
 * `status` as found, which it kept (absent: it has no state yet, it is PENDING); `missing`: no such event (expired).
 */
export type ReopenResult =
  | { kind: "reopened"; previous: DestinationStatus; state: DestinationState }
  | { kind: "kept"; status: DestinationStatus; state?: DestinationState }
  | { kind: "missing" };

/**
 * An operator's write to an event's delivery state (a redrive, a replay): a destination whose status is one of
 * `from` becomes `reopen(state)`, a PENDING state with a new round of attempts, so the event never reads DEAD or
 * FAILED while it is delivered again; then the overall status is written. Conditional writes throughout
 * (`recordDestinationTransition`): a delivery finishing meanwhile is never overwritten, and a second operator doing
 * the same writes nothing. The job is sent by the caller, after this.
 */
export async function reopenDestination(
  table: DeliveryTable,
  pk: string,
  destination: string,
  from: readonly DestinationStatus[],
  reopen: (state: DestinationState) => DestinationState,
): Promise<ReopenResult> {
  const item = await readEvent(table, pk);
  if (item === undefined) return { kind: "missing" };
  const current = item.destinations?.[destination];
  if (current === undefined || !from.includes(current.status)) {
    return { kind: "kept", status: current?.status ?? "PENDING", ...(current !== undefined && { state: current }) };
  }
  const updated = await recordDestinationTransition(table, item, destination, (state) =>
    state !== undefined && from.includes(state.status) ? reopen(state) : (state ?? { status: "PENDING", attempts: 0 }),
  );
  if (updated === undefined) return { kind: "missing" };
  const now = updated.destinations[destination];
  // A delivery settled it between our read and our write: its outcome stands. (Another operator reopening it
  // meanwhile reads as reopened here too: both send a job, and the second is a harmless duplicate.)
  if (now === undefined || now.status !== "PENDING") {
    return { kind: "kept", status: now?.status ?? "PENDING", ...(now !== undefined && { state: now }) };
  }
  const change = overallStatusChange(updated.status, deriveOverallStatus(destinationStatusesOf(updated)));
  // Conditional on the version we wrote: if a delivery updated the event meanwhile, it writes its own status.
  if (change !== undefined) await writeOverallStatus(table, updated, change, updated.version ?? 0);
  return { kind: "reopened", previous: current.status, state: now };
}
