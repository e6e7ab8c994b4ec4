import { IdempotencyKeyReusedError, InProgressError, type OncegateSdkError, PreviouslyFailedError } from "./errors.ts";
import type { ClaimRefusal } from "./idempotencyRecord.ts";
import type { Outcome } from "./invocationLog.ts";

/** The typed error a refused claim turns into when there is no HTTP response to answer with. */
export function refusalError(refusal: Exclude<ClaimRefusal, { kind: "replay" }>): OncegateSdkError {
  if (refusal.kind === "mismatch") return new IdempotencyKeyReusedError();
  if (refusal.kind === "failed") return new PreviouslyFailedError();
  return new InProgressError(refusal.retryAfterSeconds);
}

/** Log outcome of a refused claim. */
export function refusalOutcome(refusal: ClaimRefusal): Outcome {
  if (refusal.kind === "replay") return "replayed";
  if (refusal.kind === "in_progress") return "in_progress";
  if (refusal.kind === "failed") return "failed";
  return "rejected";
}

/** What a non-HTTP duplicate gets back: the stored result itself. */
export function replayValue(refusal: Extract<ClaimRefusal, { kind: "replay" }>): unknown {
  const stored = refusal.stored;
  if (stored.kind === "json") return stored.value;
  if (stored.kind === "omitted" || stored.kind === "unstorable") return { ok: true, deduped: true };
  return undefined;
}
