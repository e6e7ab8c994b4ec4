import type { EventItem } from "../shared/eventRecord.ts";
import { acceptEvent } from "../shared/eventStore.ts";
import { type QueueEventDependencies, queueEventJobs } from "../shared/queueEventJobs.ts";
import { claimSignedBody } from "../shared/replayGuard.ts";
import type { RequestDeadline } from "../shared/requestDeadline.ts";
import { isAbandoned } from "../shared/requeuePolicy.ts";

/** Hooks called at the two points where a crash leaves work half done; the local stack's crash tests kill the process there. */
export interface IntakeFaults {
  /** After the item is stored, before its jobs are enqueued. */
  afterPut?: () => void | Promise<void>;
  /** After the jobs are enqueued, before the item is marked QUEUED. */
  afterEnqueue?: () => void | Promise<void>;
}

export interface AcceptDependencies extends QueueEventDependencies {
  sweepAfterSeconds: number;
  faults?: IntakeFaults;
}

/** What happened to a verified event; any thrown error means nothing was acknowledged (answer 503). */
export interface AcceptOutcome {
  /** `accepted`: first time; `duplicate`: already stored, nothing written; `requeued`: stored but abandoned, jobs sent now. */
  outcome: "accepted" | "duplicate" | "requeued";
  /** Why marking QUEUED failed after a successful enqueue; the answer still stands and the sweeper may enqueue again. */
  markQueuedError?: string;
  storeMs: number;
  enqueueMs?: number;
}

/**
 * Stores a verified event exactly once and enqueues one delivery job per destination.
 *
 * Timeline of one acceptance: PutItem (RECEIVED) → enqueue → markQueued (QUEUED). A crash or an SQS failure after
 * the put leaves the item RECEIVED; it is then re-enqueued by a later duplicate or by the sweeper, once it is old
 * enough to be {@link isAbandoned} (a younger one may still be enqueued by its own invocation). A failure of the
 * final markQueued changes nothing for the sender: the jobs are already on the queue.
 *
 * With `replayWindowSeconds` (the provider's opt-in), a marker on the signed bytes is written first
 * (`replayGuard`): the same bytes under another event id within the window throw ReplayedBodyError (answer 409).
 *
 * @throws ReplayedBodyError, or any DynamoDB or SQS error of the put or the enqueue (the caller answers 503)
 */
export async function acceptWebhook(
  deps: AcceptDependencies,
  item: EventItem,
  deadline?: RequestDeadline,
  replayWindowSeconds?: number,
): Promise<AcceptOutcome> {
  const storeStarted = performance.now();
  if (replayWindowSeconds !== undefined) {
    // Before the event's put: a refused body must leave nothing written. Throws ReplayedBodyError.
    const claim = { provider: item.provider, rawBody: item.payload, eventPk: item.pk, nowMs: item.receivedAtMs };
    await claimSignedBody(deps.events, { ...claim, windowSeconds: replayWindowSeconds }, deadline);
  }
  const stored = await acceptEvent(deps.events, item, deadline);
  const storeMs = performance.now() - storeStarted;
  if (stored.accepted) {
    await deps.faults?.afterPut?.();
    const queued = await queueEventJobs(deps, item, deps.faults?.afterEnqueue, deadline);
    return { outcome: "accepted", storeMs, ...queued };
  }
  const { existing } = stored;
  if (!isAbandoned(existing, deps.clock.nowMs(), deps.sweepAfterSeconds)) return { outcome: "duplicate", storeMs };
  // Jobs come from the stored item: its destinations were fixed when it was first accepted.
  return { outcome: "requeued", storeMs, ...(await queueEventJobs(deps, existing, undefined, deadline)) };
}
