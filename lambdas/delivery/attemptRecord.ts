import type { AttemptTrigger } from "./attemptTrigger.ts";
import type { AttemptOutcome } from "./retryPolicy.ts";
import { outcomeReason } from "./retryPolicy.ts";

/** Most UTF-8 bytes of a consumer's response body kept with an attempt. */
export const RESPONSE_BODY_EXCERPT_MAX_BYTES = 1024;

/** What is stored about one delivery attempt. */
export interface AttemptRecord {
  /** 1-based attempt number. */
  attempt: number;
  /** Why it was made. */
  trigger: AttemptTrigger;
  /** When the attempt started, in epoch milliseconds. */
  atMs: number;
  /** HTTP status of the response; absent when none arrived. */
  statusCode?: number;
  /** Why no response arrived (`timeout`, `network_error:ECONNREFUSED`); absent when one did. */
  error?: string;
  /** From sending the request to the end of the response or the failure. */
  latencyMs: number;
  /** The start of the response body, at most {@link RESPONSE_BODY_EXCERPT_MAX_BYTES}; empty when none. */
  responseBodyExcerpt: string;
}

/** What the delivery Lambda knows once an attempt is over. */
export interface AttemptRecordInput {
  attempt: number;
  trigger: AttemptTrigger;
  atMs: number;
  latencyMs: number;
  outcome: AttemptOutcome;
  /** The response body, or just its first bytes: nothing past {@link RESPONSE_BODY_EXCERPT_MAX_BYTES} is kept. */
  responseBody?: string | Uint8Array;
}

/** Builds the record of one attempt, leaving out `statusCode` or `error` rather than storing them as undefined. */
export function buildAttemptRecord(input: AttemptRecordInput): AttemptRecord {
  const { attempt, trigger, atMs, latencyMs, outcome } = input;
  const excerpt = input.responseBody === undefined ? "" : responseBodyExcerpt(input.responseBody);
  if (outcome.kind === "response") {
    return { attempt, trigger, atMs, statusCode: outcome.status, latencyMs, responseBodyExcerpt: excerpt };
  }
  return { attempt, trigger, atMs, error: outcomeReason(outcome), latencyMs, responseBodyExcerpt: excerpt };
}

/**
 * The longest prefix of `body` that is at most 1024 bytes in UTF-8, ending on a whole character.
 *
 * Bytes that are not valid UTF-8 become U+FFFD (3 bytes each), and the result is measured after that
 * replacement, so it always fits the budget and always re-encodes to valid UTF-8.
 */
export function responseBodyExcerpt(body: string | Uint8Array): string {
  const text =
    typeof body === "string"
      ? // 1024 UTF-16 units always take at least 1024 bytes, so the slice loses nothing the budget would keep,
        // and a surrogate pair it cuts in half becomes a U+FFFD that cannot fit either.
        body.slice(0, RESPONSE_BODY_EXCERPT_MAX_BYTES).toWellFormed()
      : // `stream: true` holds back a character whose bytes the cut at 1024 split, instead of emitting U+FFFD.
        new TextDecoder("utf-8").decode(body.subarray(0, RESPONSE_BODY_EXCERPT_MAX_BYTES), { stream: true });
  // encodeInto writes whole characters only, and `read` says how much of `text` fitted.
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(RESPONSE_BODY_EXCERPT_MAX_BYTES));
  return text.slice(0, read);
}
