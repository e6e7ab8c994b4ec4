import { type Logger, roundMs } from "../shared/logger.ts";

/** The one log line of an intake request. Never the payload, a header value or a secret. */
export interface IntakeLogLine {
  /** The configured provider, or the unknown `{provider}` segment (capped) of a 404. */
  provider?: string;
  /** The provider's event id once verified (capped: ids are untrusted and may be a kilobyte long). */
  eventId?: string;
  idempotencyKey?: string;
  outcome: "accepted" | "duplicate" | "requeued" | "rejected" | "unavailable";
  status: number;
  /** The refusal code, or the error code/name behind a 503. */
  error?: string;
  /**
   * Behind a 503 whose error wraps another (`enqueue_failed` over a `TimeoutError`), the wrapped one's code/name:
   * an operator tells a brown-out from a misconfiguration without the stack trace.
   */
  errorCause?: string;
  /** Set when marking QUEUED failed after a successful enqueue: answered 2xx, the sweeper may enqueue again. */
  markQueuedError?: string;
  /** Accepted, but no destination's event filter took it: stored UNROUTED, nothing enqueued. */
  unrouted?: true;
  bodyBytes?: number;
  verifyMs?: number;
  storeMs?: number;
  enqueueMs?: number;
  totalMs: number;
}

const MAX_LOGGED_LENGTH = 128;

/** Caps an untrusted string for a log line. */
export function capForLog(value: string): string {
  return value.length > MAX_LOGGED_LENGTH ? `${value.slice(0, MAX_LOGGED_LENGTH)}…` : value;
}

/**
 * Writes the line: `error` for 503s, `warn` when marking QUEUED failed, `debug` for a plain duplicate, `info`
 * otherwise. A provider retrying or a replay storm sends many duplicates: each is counted (the `Duplicate` metric)
 * but not logged at the default level, so log ingestion is paid once per accepted event, not once per request.
 */
export function logIntake(logger: Logger, line: IntakeLogLine): void {
  const level =
    line.outcome === "unavailable"
      ? "error"
      : line.markQueuedError
        ? "warn"
        : line.outcome === "duplicate"
          ? "debug"
          : "info";
  const rounded = { ...line };
  for (const key of ["verifyMs", "storeMs", "enqueueMs", "totalMs"] as const) {
    const value = rounded[key];
    if (value !== undefined) rounded[key] = roundMs(value);
  }
  logger({ level, msg: "oncegate.intake", ...rounded });
}
