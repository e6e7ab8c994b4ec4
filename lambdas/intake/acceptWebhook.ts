import type { NewEvent } from "../shared/eventRecord.ts";
import { acceptEvent, type EventsTable, storeBody } from "../shared/eventStore.ts";
import { type QueueEventDependencies, queueEventJobs } from "../shared/queueEventJobs.ts";
import { claimSignedBody } from "../shared/replayGuard.ts";
import type { RequestDeadline } from "../shared/requestDeadline.ts";
import { isAbandoned } from "../shared/requeuePolicy.ts";
import { goesToS3, type IntakeBodyBucket, uploadBody } from "./placeBody.ts";

/** Hooks called at the points where a crash leaves work half done; the local stack's crash tests kill the process there. */
export interface IntakeFaults {
  /** After an S3 body's upload, before the state's conditional put (the claim). */
  afterBodyUpload?: () => void | Promise<void>;
  /** After the state is stored, before an inline body is (an S3 body is stored already). */
  afterStatePut?: () => void | Promise<void>;
  /** After the state and the body are stored, before the jobs are enqueued. */
  afterPut?: () => void | Promise<void>;
  /** After the jobs are enqueued, before the item is marked QUEUED. */
  afterEnqueue?: () => void | Promise<void>;
}

export interface AcceptDependencies extends QueueEventDependencies {
  sweepAfterSeconds: number;
  /** Where bodies above the inline limit go. */
  bodies: IntakeBodyBucket;
  faults?: IntakeFaults;
}

/** What happened to a verified event; any thrown error means nothing was acknowledged (answer 503). */
export interface AcceptOutcome {
  /** `accepted`: first time; `duplicate`: already stored, nothing written; `requeued`: stored but abandoned, jobs sent now. */
  outcome: "accepted" | "duplicate" | "requeued";
  /** Why marking QUEUED failed after a successful enqueue; the answer still stands and the sweeper may enqueue again. */
  markQueuedError?: string;
  /** Accepted UNROUTED: no destination takes it, nothing was enqueued. */
  unrouted?: true;
  storeMs: number;
  enqueueMs?: number;
}

/**
 * Stores a verified event exactly once and enqueues one delivery job per destination.
 *
 * Timeline of one acceptance, inline body (`bodyPlacement`): PutItem of the state (RECEIVED; the one conditional
 * write that decides acceptance) → PutItem of the body → enqueue → markQueued (QUEUED). An S3 body is written
 * first: PutObject → PutItem of the state naming it → enqueue → markQueued. Nothing is answered 2xx before the
 * body is stored.
 * - A crash between the upload and the claim leaves only an object (content-addressed; the lifecycle rule deletes
 *   it), and the provider, answered nothing, retries: its upload rewrites the same object. Every copy of a large
 *   body uploads before its claim (the intake cannot tell a duplicate sooner); a duplicate never uploads after it.
 * - A crash between the two puts leaves a state without a body, and the provider, answered nothing, retries. The
 *   retry's duplicate path finds the state RECEIVED and stores the body from its own copy of the signed bytes
 *   before anything else; the sweeper never enqueues an event without a body (it leaves it to that retry or the TTL).
 * - A crash or an SQS failure after the body put leaves the event RECEIVED; it is then re-enqueued by a later
 *   duplicate or by the sweeper, once it is old enough to be {@link isAbandoned} (a younger one may still be
 *   enqueued by its own invocation).
 * - A failure of the final markQueued changes nothing for the sender: the jobs are already on the queue.
 *
 * With `replayWindowSeconds` (the provider's opt-in), a marker on the signed bytes is written first
 * (`replayGuard`): the same bytes under another event id within the window throw ReplayedBodyError (answer 409).
 *
 * @throws ReplayedBodyError, or any DynamoDB or SQS error of the puts or the enqueue (the caller answers 503)
 */
export async function acceptWebhook(
  deps: AcceptDependencies,
  event: NewEvent,
  deadline?: RequestDeadline,
  replayWindowSeconds?: number,
): Promise<AcceptOutcome> {
  const { state } = event;
  const storeStarted = performance.now();
  if (replayWindowSeconds !== undefined) {
    // Before the event's put: a refused body must leave nothing written. Throws ReplayedBodyError.
    const claim = { provider: state.provider, rawBody: event.rawBody, eventPk: state.pk, nowMs: state.receivedAtMs };
    await claimSignedBody(deps.events, { ...claim, windowSeconds: replayWindowSeconds }, deadline);
  }
  const inS3 = goesToS3(event, deps.bodies);
  const placed = inS3 ? await uploadBody(deps.bodies, event, deadline) : event;
  if (inS3) await deps.faults?.afterBodyUpload?.();
  const stored = await acceptEvent(deps.events, placed.state, deadline);
  if (stored.accepted) {
    await deps.faults?.afterStatePut?.();
    if (!inS3) await storeEventBody(deps.events, event, state.expiresAt, deadline);
    const storeMs = performance.now() - storeStarted;
    await deps.faults?.afterPut?.();
    if (state.status === "UNROUTED") return { outcome: "accepted", storeMs, unrouted: true };
    const queued = await queueEventJobs(deps, placed.state, deps.faults?.afterEnqueue, deadline);
    return { outcome: "accepted", storeMs, ...queued };
  }
  const { existing } = stored;
  // Still RECEIVED (or UNROUTED, which nothing moves on): its acceptance may have died before its body put. This
  // answer acknowledges the event too, so a body must be stored first (written only if missing; the stored event's
  // expiry, not this request's). A state naming an S3 body was put after its object: nothing to store (and never
  // uploaded again after the claim).
  if ((existing.status === "RECEIVED" || existing.status === "UNROUTED") && existing.body?.kind !== "s3") {
    await storeEventBody(deps.events, event, existing.expiresAt, deadline);
  }
  const storeMs = performance.now() - storeStarted;
  if (!isAbandoned(existing, deps.clock.nowMs(), deps.sweepAfterSeconds)) return { outcome: "duplicate", storeMs };
  // Jobs come from the stored state: its destinations were fixed when it was first accepted.
  return { outcome: "requeued", storeMs, ...(await queueEventJobs(deps, existing, undefined, deadline)) };
}

function storeEventBody(
  events: EventsTable,
  event: NewEvent,
  expiresAt: number,
  deadline: RequestDeadline | undefined,
): Promise<unknown> {
  return storeBody(events, { pk: event.state.pk, ...event.storedBody, expiresAt }, deadline);
}
