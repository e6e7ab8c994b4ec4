/** What happened to one unit of work (an HTTP request, an SQS record, an event). */
export type Outcome = "executed" | "replayed" | "in_progress" | "failed" | "rejected";

export interface InvocationLogLine {
  scope: string | undefined;
  key: string | undefined;
  outcome: Outcome;
  error?: string;
  claimMs?: number;
  handlerMs?: number;
  totalMs: number;
}

/**
 * One structured line per unit of work. Keys and codes only: payloads and secrets never reach the
 * log. Completion failures (the handler ran, the record could not say so) are logged as errors.
 */
export function logInvocation(logger: (line: Record<string, unknown>) => void, line: InvocationLogLine): void {
  const level = line.error === "completion_failed" || line.error === "release_failed" ? "error" : "info";
  logger({ level, msg: "oncegate.idempotency", ...line });
}
