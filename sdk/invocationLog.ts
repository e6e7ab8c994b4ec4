/** What happened to one unit of work (an HTTP request, an SQS record, an event). */
export type Outcome = "executed" | "replayed" | "in_progress" | "failed" | "rejected" | "timed_out" | "skipped";

export interface InvocationLogLine {
  scope: string | undefined;
  key: string | undefined;
  outcome: Outcome;
  error?: string;
  /** The name of the underlying error (e.g. the DynamoDB exception), never its message. */
  cause?: string;
  claimMs?: number;
  handlerMs?: number;
  totalMs: number;
}

// Codes that need an operator: the handler ran and the record could not say so, its answer could not be kept,
// the store refuses us for good, or an invocation died mid-handler. Everything else is business as usual.
const ERROR_LEVEL_CODES: ReadonlySet<string> = new Set([
  "completion_failed",
  "response_unstorable",
  "idempotency_store_misconfigured",
  "handler_timed_out",
  "release_failed",
]);

/**
 * One structured line per unit of work. Keys and codes only: payloads and secrets never reach the
 * log.
 */
export function logInvocation(logger: (line: Record<string, unknown>) => void, line: InvocationLogLine): void {
  const level = line.error !== undefined && ERROR_LEVEL_CODES.has(line.error) ? "error" : "info";
  logger({ level, msg: "oncegate.idempotency", ...line });
}
