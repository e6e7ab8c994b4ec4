import { destinationIdsOf } from "../lambdas/delivery/overallStatus.ts";
import type { EventHistory } from "../lambdas/shared/eventHistory.ts";
import type { AttemptEntry, DestinationState, EventStatus } from "../lambdas/shared/eventRecord.ts";

/** One destination of an event, as `GET /events/{provider}/{eventId}` shows it. */
export interface DestinationView {
  url?: string;
  status: DestinationState["status"];
  /** Attempts recorded (one that died before being recorded is not). */
  attempts: number;
  /** Number of the latest recorded attempt (SQS's receive count: it also counts an unrecorded one). */
  lastAttempt?: number;
  lastAttemptAt?: string;
  lastStatusCode?: number;
  reason?: string;
  lastResponseBody?: string;
  flagged?: boolean;
  /** One sentence: what happened, and what it means. */
  explanation: string;
}

/** One recorded attempt. */
export interface AttemptView {
  destination: string;
  attempt: number;
  at: string;
  statusCode?: number;
  error?: string;
  latencyMs: number;
  response: string;
}

/** What `GET /events/{provider}/{eventId}` answers: the stored event, its deliveries, and why it is where it is. */
export interface EventView {
  provider: string;
  eventId: string;
  idempotencyKey: string;
  status: EventStatus;
  explanation: string;
  /** The provider's event type, when the gateway read one (what destinations' filters match). */
  eventType?: string;
  receivedAt: string;
  queuedAt?: string;
  /** Size of the signed body (its stored form may be smaller: compressed). */
  payloadBytes: number;
  destinations: Record<string, DestinationView>;
  attempts: AttemptView[];
}

/** What the view needs besides the item. */
export interface EventViewContext {
  destinationUrls: ReadonlyMap<string, string>;
  maxAttempts: number;
}

const STATUS_EXPLANATIONS: Record<EventStatus, string> = {
  RECEIVED:
    "accepted and stored, but its delivery jobs are not confirmed on the queue yet: the sweeper (or the provider's next retry) enqueues them",
  UNROUTED:
    "accepted and stored, but no destination's event filter takes its type: nothing was sent (route it with `oncegate events replay --destination <id>`)",
  QUEUED: "accepted; delivery to its destinations is in progress",
  DELIVERED: "every destination acknowledged it",
  FAILED: "a destination refused it for good (a 4xx the gateway does not retry)",
  DEAD: "a destination did not acknowledge it within the retry schedule: its job goes to the dead-letter queue",
};

const iso = (ms: number) => new Date(ms).toISOString();

/** The stored event (its state and attempts: `readEventHistory`) as JSON for a human, a sentence for each. */
export function eventView(history: EventHistory, context: EventViewContext): EventView {
  const { state: item, attempts } = history;
  const destinations: Record<string, DestinationView> = {};
  for (const id of destinationIdsOf(item)) {
    const state = item.destinations?.[id] ?? { status: "PENDING", attempts: 0 };
    const numbers = attempts.filter((entry) => entry.destination === id).map((entry) => entry.attempt);
    const lastAttempt = numbers.length > 0 ? Math.max(...numbers) : undefined;
    destinations[id] = {
      url: context.destinationUrls.get(id),
      status: state.status,
      attempts: state.attempts,
      lastAttempt,
      lastAttemptAt: state.lastAttemptAtMs === undefined ? undefined : iso(state.lastAttemptAtMs),
      lastStatusCode: state.lastStatusCode,
      reason: state.reason,
      lastResponseBody: state.lastResponseBody,
      flagged: state.flagged,
      explanation: explain(state, lastAttempt ?? state.attempts, context),
    };
  }
  return {
    provider: item.provider,
    eventId: item.eventId,
    idempotencyKey: item.idempotencyKey,
    status: item.status,
    explanation: STATUS_EXPLANATIONS[item.status],
    ...(item.attributes?.eventType !== undefined && { eventType: item.attributes.eventType }),
    receivedAt: iso(item.receivedAtMs),
    queuedAt: item.queuedAtMs === undefined ? undefined : iso(item.queuedAtMs),
    payloadBytes: item.body?.bytes ?? 0,
    destinations,
    attempts: attempts.map(attemptView),
  };
}

function attemptView(entry: AttemptEntry): AttemptView {
  const { destination, attempt, statusCode, error, latencyMs } = entry;
  return {
    destination,
    attempt,
    at: iso(entry.atMs),
    statusCode,
    error,
    latencyMs,
    response: entry.responseBodyExcerpt,
  };
}

function explain(state: DestinationState, attempt: number, context: EventViewContext): string {
  const last = state.reason ?? (state.lastStatusCode === undefined ? "no answer" : `http_${state.lastStatusCode}`);
  const consumer = consumerNote(state.lastResponseBody);
  switch (state.status) {
    case "PENDING":
      if (attempt === 0) return "waiting for its first delivery attempt";
      return `attempt ${attempt} of at most ${context.maxAttempts} got ${last}; the gateway retries${consumer}`;
    case "DELIVERED":
      return `delivered on attempt ${attempt} (HTTP ${state.lastStatusCode ?? "2xx"})`;
    case "FAILED":
      return `refused for good on attempt ${attempt}: ${last}; the gateway does not retry it${consumer}`;
    case "DEAD":
      return `gave up after ${attempt} attempts, the last one ${last}; the job goes to the dead-letter queue (redrive it to try again)${consumer}`;
  }
}

// The consumer SDK's answers carry a stable `error` code: say what the usual ones mean.
function consumerNote(responseBody: string | undefined): string {
  let code: unknown;
  try {
    code = (JSON.parse(responseBody ?? "") as { error?: unknown }).error;
  } catch {
    return "";
  }
  if (code === "in_progress") {
    return ". The consumer answered 409 in_progress: it claimed this Idempotency-Key and never completed it (it died mid-handler), and the SDK never runs a claimed key again (at-most-once)";
  }
  if (code === "previously_failed") {
    return ". The consumer answered 422 previously_failed: its handler threw on an earlier delivery";
  }
  return "";
}
