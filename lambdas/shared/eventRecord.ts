/**
 * The events table: one item per accepted `(provider, eventId)`, keyed by `eventPartitionKey`.
 *
 *   RECEIVED --jobs enqueued--> QUEUED --every destination settled--> DELIVERED | FAILED | DEAD
 *
 * While RECEIVED the item carries `sweepShard` + `receivedAtMs`, the keys of the sparse GSI the
 * sweeper queries; marking it QUEUED removes `sweepShard`, which drops it from the index.
 */

export type EventStatus = "RECEIVED" | "QUEUED" | "DELIVERED" | "FAILED" | "DEAD";
export type DestinationStatus = "PENDING" | "DELIVERED" | "FAILED" | "DEAD";

/** Partition key attribute of the events table. */
export const EVENTS_PARTITION_KEY = "pk";
/** Sparse GSI of events still RECEIVED: partition `sweepShard` (always `SWEEP_SHARD`), sort `receivedAtMs`. */
export const SWEEP_INDEX_NAME = "received-by-time";
export const SWEEP_SHARD = "received";
/** TTL attribute (epoch seconds). */
export const EVENTS_TTL_ATTRIBUTE = "expiresAt";

export interface DestinationState {
  status: DestinationStatus;
  attempts: number;
  lastAttemptAtMs?: number;
  lastStatusCode?: number;
  lastResponseBody?: string;
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
  /** The SQS message that took the destination DEAD: its later receives are on their way to the dead-letter queue. */
  deadMessageId?: string;
  /** How many attempt entries of this destination were left out of `attempts` to bound the item's size. */
  attemptsOmitted?: number;
  /** Token of the last update of this destination: lets a retried update recognise its own applied write. */
  writeToken?: string;
}

export interface AttemptEntry {
  destination: string;
  attempt: number;
  atMs: number;
  statusCode?: number;
  error?: string;
  latencyMs: number;
  responseBodyExcerpt: string;
}

export interface EventItem {
  pk: string;
  provider: string;
  eventId: string;
  /** `idempotencyKeyFor(provider, eventId)`: sent as `Idempotency-Key` on every delivery. */
  idempotencyKey: string;
  status: EventStatus;
  /** The raw body bytes exactly as received (what was signed). */
  payload: Uint8Array;
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
  /** Present only while RECEIVED (sparse GSI partition key). */
  sweepShard?: string;
  /** Destination ids the event was fanned out to, fixed at acceptance. */
  destinationIds: string[];
  destinations: Record<string, DestinationState>;
  attempts: AttemptEntry[];
  /** Incremented by every delivery update; guards the derived overall `status`. */
  version: number;
  /** Written by the put that stored the item (`acceptEvent`): lets a retried put recognise its own write. */
  acceptToken?: string;
}

/** Body of one delivery job on the queue: one event × one destination. */
export interface DeliveryJob {
  pk: string;
  destination: string;
}
