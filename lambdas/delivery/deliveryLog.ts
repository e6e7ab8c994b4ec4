import type { Logger } from "../shared/logger.ts";

/** What became of one job: the first four are the retry policy's decisions. */
export type JobOutcome =
  /** The consumer answered 2xx. */
  | "delivered"
  /** Retried later: the message stays hidden for `delaySeconds`. */
  | "retry"
  /** The schedule is exhausted: SQS moves the job to the dead-letter queue. */
  | "dead"
  /** Will never succeed (a permanent 4xx, an unknown destination): the job is deleted. */
  | "failed"
  /** Its destination is paused or its circuit open: hidden, no POST, no attempt consumed. */
  | "held"
  /** The attempt is not due yet (a long delay served over several receives): hidden again, no POST, no attempt. */
  | "waiting"
  /** The destination was already DELIVERED or FAILED: a duplicate message, not POSTed again. */
  | "skipped"
  /** Nothing to deliver (malformed job, event expired): the job is deleted. */
  | "dropped"
  /** Something broke before the outcome was recorded (DynamoDB, an injected fault): SQS retries the job. */
  | "error";

/** One line per job. Keys, codes and numbers only: never the payload, a header value or a secret. */
export interface DeliveryLogLine {
  messageId: string;
  pk?: string;
  destination?: string;
  /** SQS's receive count of the message. */
  receiveCount: number;
  /** The attempt's number overall, from the event's stored state, when a POST was made. */
  attempt?: number;
  outcome: JobOutcome;
  /** Why, when not delivered: `http_503`, `timeout`, `gone`, `unknown_destination`, `event_missing`… */
  reason?: string;
  statusCode?: number;
  latencyMs?: number;
  delaySeconds?: number;
  /** What was asked of SQS when less than the delay (the 12 hours from the receive): the rest waits a receive. */
  visibilitySeconds?: number;
  /** Whether the message stays on the queue (reported in `batchItemFailures`). */
  reported: boolean;
  /** Name and message of an unexpected error. */
  error?: string;
}

const LEVELS: Record<JobOutcome, "info" | "warn" | "error"> = {
  delivered: "info",
  retry: "info",
  waiting: "info",
  held: "info",
  skipped: "info",
  failed: "warn",
  dead: "error",
  dropped: "warn",
  error: "error",
};

/** Writes the job's line, at `error` for outcomes an operator must look at, and for a malformed job. */
export function logDelivery(logger: Logger, line: DeliveryLogLine): void {
  let level = line.reason === "malformed_job" ? "error" : LEVELS[line.outcome];
  // A failed side step (e.g. setting the retry delay) is worth a look even when the job itself went well.
  if (level === "info" && line.error !== undefined) level = "warn";
  logger({ level, msg: "oncegate.delivery", ...line });
}

/** `Name: message` of an unexpected error, cut short: it goes into a log line, not a report. */
export function describeError(error: unknown): string {
  // Duck-typed: errors from another realm (a test VM) are not `instanceof Error`.
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  const text = typeof message === "string" ? `${String(name ?? "Error")}: ${message}` : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
