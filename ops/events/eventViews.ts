import { destinationIdsOf } from "../../lambdas/delivery/overallStatus.ts";
import type { AttemptEntry, DestinationState, EventState } from "../../lambdas/shared/eventRecord.ts";

/**
 * The documented `--json` shapes of `events list` and `events show` (docs/operations.md): stable field names, times
 * as ISO 8601 strings, nothing secret (no signature header, no body unless `--payload`). Pure.
 */

/** One destination, as listed. */
export interface DestinationView {
  status: DestinationState["status"];
  attempts: number;
  /** Why it is FAILED or DEAD, or why the last attempt failed. */
  reason?: string;
  lastStatusCode?: number;
  lastAttemptAt?: string;
  /** When a retry is due, while PENDING. */
  nextAttemptAt?: string;
  replays?: number;
  redrives?: number;
  /** The job that took it DEAD went to the dead-letter queue with this message id. */
  deadLetterMessageId?: string;
}

/** `events list --json`: one of these per event. */
export interface EventSummary {
  provider: string;
  eventId: string;
  idempotencyKey: string;
  status: EventState["status"];
  /** The provider's event type (`invoice.paid`, `pull_request.opened`), when the gateway read one. */
  eventType?: string;
  receivedAt: string;
  destinations: Record<string, DestinationView>;
}

/** One attempt in `events show --json`. */
export interface AttemptView {
  destination: string;
  attempt: number;
  /** `initial`, `retry`, `redrive` or `replay`; `unknown` for attempts stored before triggers were. */
  trigger: string;
  at: string;
  statusCode?: number;
  error?: string;
  latencyMs: number;
  /** The first bytes of the consumer's answer (at most 1 KiB). */
  response: string;
}

/** `events show --json`. */
export interface EventDetail extends EventSummary {
  queuedAt?: string;
  expiresAt: string;
  contentType?: string;
  /** The request headers kept with the event: an allow-list (content type, user agent, event type), never a signature. */
  headers: Record<string, string>;
  /** Names of allowed headers the request carried with a value no HTTP request can (so not kept). */
  droppedHeaders?: string[];
  bodyBytes?: number;
  bodyStorage: "inline" | "s3";
  attempts: AttemptView[];
  /**
   * When a destination is DEAD: its jobs found in the dead-letter queue (`checked` says how much of the queue was
   * read: `all`, or its first messages when it holds more). Absent with `--no-dlq` or when nothing is DEAD.
   */
  deadLetterQueue?: {
    checked: "all" | "first";
    jobs: { destination: string; messageId: string; receiveCount: number }[];
  };
  /** Only with `--payload`: the signed bytes as text (UTF-8), or base64 when they are not valid UTF-8. */
  payload?: { encoding: "utf8" | "base64"; data: string };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

export function destinationView(state: DestinationState): DestinationView {
  return {
    status: state.status,
    attempts: state.attempts,
    ...(state.reason !== undefined && { reason: state.reason }),
    ...(state.reason === undefined && state.lastError !== undefined && { reason: state.lastError }),
    ...(state.lastStatusCode !== undefined && { lastStatusCode: state.lastStatusCode }),
    ...(state.lastAttemptAtMs !== undefined && { lastAttemptAt: iso(state.lastAttemptAtMs) }),
    ...(state.status === "PENDING" &&
      state.nextAttemptAtMs !== undefined && { nextAttemptAt: iso(state.nextAttemptAtMs) }),
    ...(state.replays !== undefined && { replays: state.replays }),
    ...(state.redrives !== undefined && { redrives: state.redrives }),
    ...(state.deadMessageId !== undefined && { deadLetterMessageId: state.deadMessageId }),
  };
}

/** Every destination the event was fanned out to: one with no state yet is PENDING with no attempt. */
function destinationsOf(state: EventState): Record<string, DestinationView> {
  return Object.fromEntries(
    destinationIdsOf(state).map((id) => {
      const destination = state.destinations?.[id];
      return [id, destination === undefined ? { status: "PENDING", attempts: 0 } : destinationView(destination)];
    }),
  );
}

export function eventSummary(state: EventState): EventSummary {
  return {
    provider: state.provider,
    eventId: state.eventId,
    idempotencyKey: state.idempotencyKey,
    status: state.status,
    ...(state.attributes?.eventType !== undefined && { eventType: state.attributes.eventType }),
    receivedAt: iso(state.receivedAtMs) ?? "",
    destinations: destinationsOf(state),
  };
}

export function attemptView(entry: AttemptEntry): AttemptView {
  return {
    destination: entry.destination,
    attempt: entry.attempt,
    trigger: entry.trigger ?? "unknown",
    at: iso(entry.atMs) ?? "",
    ...(entry.statusCode !== undefined && { statusCode: entry.statusCode }),
    ...(entry.error !== undefined && { error: entry.error }),
    latencyMs: entry.latencyMs,
    response: entry.responseBodyExcerpt,
  };
}

export function eventDetail(state: EventState, attempts: readonly AttemptEntry[]): EventDetail {
  return {
    ...eventSummary(state),
    ...(state.queuedAtMs !== undefined && { queuedAt: iso(state.queuedAtMs) }),
    expiresAt: iso(state.expiresAt * 1000) ?? "",
    ...(state.contentType !== undefined && { contentType: state.contentType }),
    headers: { ...state.headers },
    ...(state.droppedHeaders !== undefined &&
      state.droppedHeaders.length > 0 && { droppedHeaders: [...state.droppedHeaders] }),
    ...(state.body?.bytes !== undefined && { bodyBytes: state.body.bytes }),
    bodyStorage: state.body?.kind === "s3" ? "s3" : "inline",
    attempts: attempts.map(attemptView),
  };
}

/** The payload as `--json` carries it: text when it is valid UTF-8, base64 otherwise. */
export function payloadView(bytes: Uint8Array): NonNullable<EventDetail["payload"]> {
  try {
    return { encoding: "utf8", data: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { encoding: "base64", data: Buffer.from(bytes).toString("base64") };
  }
}
