import type { AttemptEntry, DestinationState, EventState } from "./eventRecord.ts";

/**
 * An event's delivery attempts, as an operator lists them. Each attempt that left its destination PENDING is an
 * attempt item (`sk = attempt#…`); the attempt that settled a destination is recorded in that destination's state
 * instead (`settledByAttempt` and the `last…` fields), in the same write that settled it. Pure: no AWS imports.
 */

/** The attempt recorded in `state`, when an attempt settled the destination. */
export function settlingAttemptOf(destination: string, state: DestinationState): AttemptEntry | undefined {
  if (state.settledByAttempt === undefined || state.lastAttemptAtMs === undefined) return undefined;
  return {
    destination,
    attempt: state.settledByAttempt,
    ...(state.lastTrigger !== undefined && { trigger: state.lastTrigger }),
    atMs: state.lastAttemptAtMs,
    ...(state.lastStatusCode !== undefined && { statusCode: state.lastStatusCode }),
    ...(state.lastError !== undefined && { error: state.lastError }),
    latencyMs: state.lastLatencyMs ?? 0,
    responseBodyExcerpt: state.lastResponseBody ?? "",
  };
}

/**
 * Every attempt of the event: its attempt items and the settling attempts its states hold, in the order they were
 * made (by time, then destination in fan-out order, then number).
 */
export function eventAttempts(
  state: Pick<EventState, "destinationIds" | "destinations">,
  attemptItems: readonly AttemptEntry[],
): AttemptEntry[] {
  const settling = Object.entries(state.destinations ?? {}).flatMap(([id, destination]) => {
    const entry = settlingAttemptOf(id, destination);
    return entry === undefined ? [] : [entry];
  });
  const order = new Map((state.destinationIds ?? []).map((id, index) => [id, index]));
  const rank = (id: string) => order.get(id) ?? order.size;
  return [...attemptItems, ...settling].sort(
    (a, b) =>
      a.atMs - b.atMs ||
      rank(a.destination) - rank(b.destination) ||
      a.destination.localeCompare(b.destination) ||
      a.attempt - b.attempt,
  );
}

/** The fields of an attempt item that make it an {@link AttemptEntry} (its keys and expiry left out). */
export function attemptEntryOf(item: AttemptEntry): AttemptEntry {
  const { destination, attempt, trigger, atMs, statusCode, error, latencyMs, responseBodyExcerpt } = item;
  return {
    destination,
    attempt,
    ...(trigger !== undefined && { trigger }),
    atMs,
    ...(statusCode !== undefined && { statusCode }),
    ...(error !== undefined && { error }),
    latencyMs,
    responseBodyExcerpt,
  };
}
