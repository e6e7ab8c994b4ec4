import { type ListingCursor, listEvents } from "../../lambdas/shared/eventListing.ts";
import type { EventState, EventStatus } from "../../lambdas/shared/eventRecord.ts";
import { eventTypeNames, matchesEventFilter } from "../../lambdas/shared/eventTypeFilter.ts";
import { indexShardCounts } from "../../lambdas/shared/indexShards.ts";
import { eventRefOf } from "../deadLetters/eventRef.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";

/** What `events list` (and `recover`, `stats`) select: all optional but the window and the limit. */
export interface EventFilter {
  provider?: string;
  status?: EventStatus;
  /** Only events fanned out to this destination. */
  destination?: string;
  /** Only events whose type one of these patterns matches (`eventTypeFilter`, as destinations' `events`). */
  eventTypes?: readonly string[];
  sinceMs: number;
  untilMs: number;
  limit: number;
  /** Only the events of the page after the pages before (`cursorAfter`). */
  after?: ListingCursor;
}

/**
 * The events of `filter`, newest first: Queries on the listing index (or, for FAILED and DEAD, on the sparse problem
 * index) and BatchGetItem, never a Scan (`listEvents`). The provider is filtered on the index entries' keys, before
 * any state is read; the destination on the states.
 */
export async function findEvents(target: OperatorTarget, filter: EventFilter): Promise<EventState[]> {
  const table = { client: target.ddb, tableName: target.resources.eventsTable };
  const shards = indexShardCounts(target.resources.peakEventsPerSecond);
  const { provider, destination, eventTypes } = filter;
  const kept = (state: EventState) =>
    (destination === undefined ||
      (state.destinationIds ?? []).includes(destination) ||
      state.destinations?.[destination] !== undefined) &&
    (eventTypes === undefined || matchesEventFilter(eventTypes, storedEventTypeNames(state)));
  return asOperator(`list events in ${table.tableName} (dynamodb:Query, BatchGetItem)`, () =>
    listEvents(table, shards, {
      sinceMs: filter.sinceMs,
      untilMs: filter.untilMs,
      limit: filter.limit,
      ...(filter.after !== undefined && { after: filter.after }),
      ...(filter.status !== undefined && { status: filter.status }),
      ...(provider !== undefined && { keepKey: (pk: string) => eventRefOf(pk)?.provider === provider }),
      ...((destination !== undefined || eventTypes !== undefined) && { keep: kept }),
    }),
  );
}

/**
 * The names a stored event's type matches under, as the intake matched them: a GitHub event (the intake keeps
 * `x-github-event` for GitHub's events only) also under its event name alone.
 */
export function storedEventTypeNames(state: Pick<EventState, "attributes" | "headers">): string[] {
  const scheme = state.headers?.["x-github-event"] === undefined ? "other" : "github";
  return eventTypeNames(scheme, state.attributes?.eventType);
}
