import type { DestinationState } from "../shared/eventRecord.ts";
import { type DeliveryTable, readEvent, recordDestinationTransition } from "./deliveryStore.ts";
import type { ReplayBy } from "./markReplayed.ts";

/**
 * What {@link markRouted} did: `routed` (the destination is the event's now, PENDING, its first attempt to come);
 * `present` (the event has it already: replay it like any other); `receiving` (the intake has not finished
 * accepting it: its own jobs are still to be sent); `missing` (no such event).
 */
export type RouteMark = { kind: "routed" } | { kind: "present" } | { kind: "receiving" } | { kind: "missing" };

/**
 * An operator's write before an event is sent to a destination it was never sent to: one stored UNROUTED (no
 * filter took it), or any settled event after a destination was added. The destination gets a PENDING state whose
 * round an operator opened (`roundTrigger: replay`, so a resend before its first attempt is recognised as
 * `awaiting` by {@link markReplayed}), and the event's status follows (QUEUED), in one conditional update
 * (`recordDestinationTransition`: the destination must still be absent; a lost answer's retry finds its own token).
 * The job is sent by the caller, after this.
 */
export async function markRouted(
  table: DeliveryTable,
  pk: string,
  destination: string,
  by: ReplayBy,
): Promise<RouteMark> {
  const item = await readEvent(table, pk);
  if (item === undefined) return { kind: "missing" };
  // RECEIVED: the intake (or the sweeper) is still to enqueue the event's jobs; routing it now would race that.
  if (item.status === "RECEIVED") return { kind: "receiving" };
  if (item.destinations?.[destination] !== undefined) return { kind: "present" };
  const routed: DestinationState = {
    status: "PENDING",
    attempts: 0,
    roundStartAttempts: 0,
    roundTrigger: "replay",
    replays: 1,
    lastReplay: by,
  };
  const updated = await recordDestinationTransition(table, item, destination, (state) => state ?? routed);
  return updated === undefined ? { kind: "missing" } : { kind: "routed" };
}
