import type { BodyEncoding as CodecEncoding } from "./body/bodyCodec.ts";
import type { S3BodyRef } from "./body/s3BodyStore.ts";

/**
 * The events table: one item collection per accepted `(provider, eventId)`, partition key `pk`
 * (`eventPartitionKey`), sort key `sk`:
 *
 *   sk = "state"                          status, headers, per-destination states: small, updated on every change
 *   sk = "body"                           the signed bytes (encoded), written once, never updated
 *   sk = "attempt#<destination>#<00001>"  one per delivery attempt that left its destination PENDING
 *
 *   RECEIVED --jobs enqueued--> QUEUED --every destination settled--> DELIVERED | FAILED | DEAD
 *   UNROUTED (no destination's filter takes it; nothing enqueued) --an operator routes it--> QUEUED
 *
 * A write is billed on the size of the item it touches (an update on the larger of before and after): keeping the
 * body out of the state makes every status change ~1 write unit whatever the body's size.
 *
 * The state carries the keys of two keys-only, sharded indexes (`indexShards`): `listShard` from acceptance on
 * (never changed, so no status change writes that index; operators list by it, and the sweeper walks it from its
 * watermark to find events left RECEIVED), and `problemShard` while FAILED or DEAD (`events list --status
 * FAILED|DEAD` is a Query).
 */

/** Every overall status, in the order of an event's life (listings and filters show them so). */
export const EVENT_STATUSES = ["RECEIVED", "UNROUTED", "QUEUED", "DELIVERED", "FAILED", "DEAD"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export type DestinationStatus = "PENDING" | "DELIVERED" | "FAILED" | "DEAD";

/** Partition key attribute of the events table. */
export const EVENTS_PARTITION_KEY = "pk";
/** Sort key attribute of the events table. */
export const EVENTS_SORT_KEY = "sk";
/** Sort key of an event's state item. */
export const STATE_SK = "state";
/** Sort key of an event's body item. */
export const BODY_SK = "body";
/** Prefix of the sort keys of an event's attempt items. */
export const ATTEMPT_SK_PREFIX = "attempt#";
/** GSI of every event: partition `listShard` (`l#<n>`), sort `receivedAtMs`. */
export const LIST_INDEX_NAME = "events-by-time";
/** Sparse GSI of FAILED and DEAD events: partition `problemShard` (`f#<n>`, `d#<n>`), sort `receivedAtMs`. */
export const PROBLEM_INDEX_NAME = "problems-by-time";
/** TTL attribute (epoch seconds), on every item of an event. */
export const EVENTS_TTL_ATTRIBUTE = "expiresAt";

/** How a body item's `data` (or a body object) holds the signed bytes: the body codec's encodings. */
export type BodyEncoding = CodecEncoding;

/** The body is in the event's body item (`sk = "body"`). */
export interface InlineBodyReference {
  kind: "inline";
  encoding: BodyEncoding;
  /** Size of the signed bytes (not of the stored form). */
  bytes: number;
}

/**
 * The body is an object in the body bucket (a claim check, `s3BodyStore.putBody`), written BEFORE the state: an
 * event whose state names an S3 body has its object, and no body item.
 */
export interface S3BodyReference extends S3BodyRef {
  kind: "s3";
}

/** Where the state finds the body: inline (its own item) or in S3, decided by `bodyPlacement` at intake. */
export type BodyReference = InlineBodyReference | S3BodyReference;

export interface DestinationState {
  status: DestinationStatus;
  attempts: number;
  lastAttemptAtMs?: number;
  /** The last attempt's trigger (`attemptTriggerOf`). */
  lastTrigger?: "initial" | "retry" | "redrive" | "replay";
  lastStatusCode?: number;
  /** Why the last attempt got no answer (`timeout`, `network_error:…`). */
  lastError?: string;
  lastLatencyMs?: number;
  lastResponseBody?: string;
  /**
   * The attempt whose outcome settled this destination (DELIVERED, FAILED or DEAD): its record is the `last…`
   * fields here, not an attempt item, so a first-try delivery is one write. Absent when no attempt settled it.
   */
  settledByAttempt?: number;
  reason?: string;
  /** Set when the consumer answered 410 Gone: the endpoint was removed, an operator should look. */
  flagged?: boolean;
  /**
   * When the next attempt is due (a retry's delay from its attempt). A receive before it hides the job again
   * without a POST: a delay longer than one receive may hide a message is served over several receives.
   */
  nextAttemptAtMs?: number;
  /** Attempts allowed in all; absent: the schedule's. A redrive raises it (`attemptPlan`). */
  attemptLimit?: number;
  /** Attempts made before the current round; absent: 0 (the first round). */
  roundStartAttempts?: number;
  /** How many times a job for this destination was redriven after it went DEAD. */
  redrives?: number;
  /** What opened the current round, when an operator did (`redrive`, `replay`): its first attempt's trigger. */
  roundTrigger?: "redrive" | "replay";
  /** How many times an operator replayed this destination (`oncegate events replay` or `recover`). */
  replays?: number;
  /** The last replay: when, by whom, and the bulk run (`events recover`) it was part of. */
  lastReplay?: { atMs: number; by: string; runId?: string };
  /** The SQS message that took the destination DEAD: its later receives are on their way to the dead-letter queue. */
  deadMessageId?: string;
  /** Token of the last update of this destination: lets a retried update recognise its own applied write. */
  writeToken?: string;
}

/** One delivery attempt, as listed (from its attempt item, or from the state of the destination it settled). */
export interface AttemptEntry {
  destination: string;
  attempt: number;
  /** Why it was made (`attemptTriggerOf`); absent on attempts stored before triggers were recorded. */
  trigger?: "initial" | "retry" | "redrive" | "replay";
  atMs: number;
  statusCode?: number;
  error?: string;
  latencyMs: number;
  responseBodyExcerpt: string;
}

/** The state item of an event (`sk = "state"`). */
export interface EventState {
  pk: string;
  sk: typeof STATE_SK;
  provider: string;
  eventId: string;
  /** `idempotencyKeyFor(provider, eventId)`: sent as `Idempotency-Key` on every delivery. */
  idempotencyKey: string;
  status: EventStatus;
  /** Where the signed bytes are. */
  body: BodyReference;
  contentType?: string;
  /** Selected request headers worth keeping (never signature headers or secrets). */
  headers: Record<string, string>;
  /** Names of selected headers whose value no HTTP request can carry (dropped at intake; Content-Type defaults). */
  droppedHeaders?: string[];
  /** Extra values the verifier found (e.g. `eventType`, Shopify's `shopifyEventId`). */
  attributes: Record<string, string>;
  receivedAtMs: number;
  queuedAtMs?: number;
  expiresAt: number;
  /** The listing index's partition key: set at acceptance, never changed. */
  listShard: string;
  /** Present only while FAILED or DEAD (the problem index's partition key). */
  problemShard?: string;
  /** Destination ids the event was fanned out to, fixed at acceptance. */
  destinationIds: string[];
  destinations: Record<string, DestinationState>;
  /** Incremented by every delivery update; guards the derived overall `status`. */
  version: number;
  /** Written by the put that stored the item (`acceptEvent`): lets a retried put recognise its own write. */
  acceptToken?: string;
}

/** The body item of an event (`sk = "body"`): written once, never updated. */
export interface BodyItem {
  pk: string;
  sk: typeof BODY_SK;
  encoding: BodyEncoding;
  data: Uint8Array;
  /** Size of the signed bytes. */
  bytes: number;
  expiresAt: number;
}

/**
 * What the intake stores for a newly verified event: its state (its `body` inline until the intake places it), the
 * exact bytes that were signed, their stored form (`encodeBody`'s).
 */
export interface NewEvent {
  state: EventState;
  rawBody: Uint8Array;
  storedBody: Pick<BodyItem, "encoding" | "data" | "bytes">;
}

/** Body of one delivery job on the queue: one event × one destination. */
export interface DeliveryJob {
  pk: string;
  destination: string;
}
