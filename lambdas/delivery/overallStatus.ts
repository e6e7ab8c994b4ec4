import type { DestinationStatus, EventState, EventStatus } from "../shared/eventRecord.ts";

/** The overall status the destinations' statuses imply; RECEIVED and UNROUTED are the intake's, never derived. */
export type DerivedEventStatus = Exclude<EventStatus, "RECEIVED" | "UNROUTED">;

/**
 * The event's overall status from its destinations' statuses.
 *
 * All DELIVERED → DELIVERED. Otherwise, once none is PENDING: any DEAD → DEAD, else (some FAILED) → FAILED.
 * While any is PENDING → QUEUED. No destinations at all → DELIVERED: there is nothing left to deliver.
 */
export function deriveOverallStatus(statuses: readonly DestinationStatus[]): DerivedEventStatus {
  if (statuses.every((status) => status === "DELIVERED")) return "DELIVERED";
  if (statuses.includes("PENDING")) return "QUEUED";
  // DEAD before FAILED: a dead destination is the one an operator can still act on (redrive the job).
  if (statuses.includes("DEAD")) return "DEAD";
  return "FAILED";
}

/**
 * Every destination's status: those the event was fanned out to (`destinationIds`, PENDING until their first
 * recorded attempt) and any other the item has a state for.
 */
export function destinationStatusesOf(item: Pick<EventState, "destinationIds" | "destinations">): DestinationStatus[] {
  return destinationIdsOf(item).map((id) => item.destinations?.[id]?.status ?? "PENDING");
}

/** The destinations of an event: those it was fanned out to, then any other the item has a state for. */
export function destinationIdsOf(item: Partial<Pick<EventState, "destinationIds" | "destinations">>): string[] {
  return [...new Set([...(item.destinationIds ?? []), ...Object.keys(item.destinations ?? {})])];
}

/**
 * The status to write, or `undefined` when the stored one should stay.
 *
 * An event still RECEIVED only moves to a settled status, never to QUEUED: RECEIVED keeps it in the sweeper's
 * index, and while the intake has not confirmed every job is enqueued, the sweeper must still find it. Once
 * every destination settled, every job was enqueued, so leaving the index is safe.
 */
export function overallStatusChange(current: EventStatus, derived: DerivedEventStatus): DerivedEventStatus | undefined {
  if (current === derived) return undefined;
  if (current === "RECEIVED" && derived === "QUEUED") return undefined;
  return derived;
}
