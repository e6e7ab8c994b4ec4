import { destinationIdsOf } from "../../lambdas/delivery/overallStatus.ts";
import { EVENT_STATUSES, type EventState, type EventStatus } from "../../lambdas/shared/eventRecord.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { findEvents } from "./listEventViews.ts";

/** `stats --json`. */
export interface EventStats {
  since: string;
  until: string;
  /** Events counted (at most `limit`: `truncated` says when there were more). */
  events: number;
  truncated: boolean;
  byStatus: Record<EventStatus, number>;
  /** Per destination: its destinations' statuses (PENDING, DELIVERED, FAILED, DEAD). */
  byDestination: Record<string, Record<string, number>>;
}

export const STATUSES: readonly EventStatus[] = EVENT_STATUSES;

/** Counts the events received in the window by status and by destination (read like `events list`). */
export async function eventStats(
  target: OperatorTarget,
  window: { sinceMs: number; untilMs: number; limit: number },
): Promise<EventStats> {
  const states = await findEvents(target, { ...window, limit: window.limit + 1 });
  return countEvents(states, window);
}

/** The counts of `states` (at most `limit` of them: `truncated` says when there were more). Pure. */
export function countEvents(
  states: readonly EventState[],
  window: { sinceMs: number; untilMs: number; limit: number },
): EventStats {
  const truncated = states.length > window.limit;
  const counted = truncated ? states.slice(0, window.limit) : states;
  const byStatus = Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<EventStatus, number>;
  const byDestination: Record<string, Record<string, number>> = {};
  for (const state of counted) {
    byStatus[state.status] += 1;
    for (const id of destinationIdsOf(state)) {
      const status = state.destinations?.[id]?.status ?? "PENDING";
      const counts = byDestination[id] ?? {};
      counts[status] = (counts[status] ?? 0) + 1;
      byDestination[id] = counts;
    }
  }
  return {
    since: new Date(window.sinceMs).toISOString(),
    until: new Date(window.untilMs).toISOString(),
    events: counted.length,
    truncated,
    byStatus,
    byDestination,
  };
}

/** One bucket of the overview's chart: the events received in it, by the status they have now. */
export interface ReceivedBucket {
  startMs: number;
  received: number;
  byStatus: Record<EventStatus, number>;
}

/**
 * The events received in `[sinceMs, untilMs)` in buckets of `bucketMs`, oldest first, each split by the events'
 * status now (so a bucket's FAILED are the events received then that failed). Pure.
 */
export function receivedBuckets(
  states: readonly EventState[],
  window: { sinceMs: number; untilMs: number; bucketMs: number },
): ReceivedBucket[] {
  const count = Math.max(1, Math.ceil((window.untilMs - window.sinceMs) / window.bucketMs));
  const buckets = Array.from({ length: count }, (_, index) => ({
    startMs: window.sinceMs + index * window.bucketMs,
    received: 0,
    byStatus: Object.fromEntries(STATUSES.map((status) => [status, 0])) as Record<EventStatus, number>,
  }));
  for (const state of states) {
    const index = Math.floor((state.receivedAtMs - window.sinceMs) / window.bucketMs);
    const bucket = buckets[index];
    if (bucket === undefined) continue;
    bucket.received += 1;
    bucket.byStatus[state.status] += 1;
  }
  return buckets;
}
