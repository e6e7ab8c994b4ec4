import { destinationIdsOf } from "../../lambdas/delivery/overallStatus.ts";
import type { EventStatus } from "../../lambdas/shared/eventRecord.ts";
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

const STATUSES: EventStatus[] = ["RECEIVED", "QUEUED", "DELIVERED", "FAILED", "DEAD"];

/** Counts the events received in the window by status and by destination (read like `events list`). */
export async function eventStats(
  target: OperatorTarget,
  window: { sinceMs: number; untilMs: number; limit: number },
): Promise<EventStats> {
  const states = await findEvents(target, { ...window, limit: window.limit + 1 });
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
