import { RESPONSE_BODY_EXCERPT_MAX_BYTES } from "./attemptRecord.ts";
import type { AttemptOutcome } from "./retryPolicy.ts";
import { isStreamedPayload, type StreamedPayload, streamedRequestInit } from "./streamedPayload.ts";

/** Most response bytes read: enough to drain a typical small reply (so the connection can be reused), no more. */
export const RESPONSE_READ_LIMIT_BYTES = 64 * 1024;

/** One POST to make. */
export interface AttemptRequest {
  url: URL;
  headers: Record<string, string>;
  /**
   * The bytes to POST, in memory; or streamed (a body from the body bucket, {@link StreamedPayload}), which the
   * attempt sends with its `Content-Length` and destroys when it ends, whatever the outcome.
   */
  payload: Uint8Array | StreamedPayload;
  timeoutMs: number;
}

/** What one POST produced, and how long it took. */
export interface AttemptResult {
  outcome: AttemptOutcome;
  /** The first bytes of the response body (at most {@link RESPONSE_BODY_EXCERPT_MAX_BYTES}); empty when none. */
  responseBodyStart: Uint8Array;
  /** From sending the request to the end of the (capped) response, or to the failure. */
  latencyMs: number;
}

/** Monotonic milliseconds, for latencies: unlike the wall clock it never jumps. */
export type Stopwatch = () => number;

/**
 * POSTs a delivery and never throws: timeouts and network errors become outcomes.
 *
 * Redirects are not followed (`redirect: "manual"`): a 3xx is retried like any unexpected status, and following
 * one would let a consumer point the gateway at any URL (SSRF). `timeoutMs` bounds the whole exchange,
 * including the body, and at most {@link RESPONSE_READ_LIMIT_BYTES} of the body are read, so neither a slow nor
 * a huge response can hold the Lambda. Once the status has arrived, a failure while reading the body does not
 * change the outcome: the consumer has answered.
 */
export async function sendAttempt(
  request: AttemptRequest,
  fetchImpl: typeof fetch,
  stopwatch: Stopwatch = () => performance.now(),
): Promise<AttemptResult> {
  const startedAt = stopwatch();
  const signal = AbortSignal.timeout(request.timeoutMs);
  const { payload } = request;
  let response: Response;
  try {
    response = await fetchImpl(request.url, {
      method: "POST",
      // A streamed body that fails mid-POST fails the fetch: a network error with the stream error's code
      // (`ETIMEDOUT` when S3 stalls, `body_integrity` for a damaged object).
      ...(isStreamedPayload(payload)
        ? streamedRequestInit(payload, request.headers)
        : { headers: request.headers, body: payload }),
      redirect: "manual",
      signal,
    });
  } catch (error) {
    if (isStreamedPayload(payload)) payload.stream.destroy();
    return {
      outcome: failureOutcome(error, signal),
      responseBodyStart: new Uint8Array(0),
      latencyMs: since(startedAt),
    };
  }
  // Answered: whatever of a streamed body the consumer did not read is not needed any more.
  if (isStreamedPayload(payload)) payload.stream.destroy();
  const responseBodyStart = await readBodyStart(response);
  const retryAfterHeader = response.headers.get("retry-after") ?? undefined;
  const outcome: AttemptOutcome =
    retryAfterHeader === undefined
      ? { kind: "response", status: response.status }
      : { kind: "response", status: response.status, retryAfterHeader };
  return { outcome, responseBodyStart, latencyMs: since(startedAt) };

  function since(start: number): number {
    return Math.max(0, Math.round(stopwatch() - start));
  }
}

/** Keeps the body's first bytes, reads on up to the limit, then drops the rest. */
async function readBodyStart(response: Response): Promise<Uint8Array> {
  const kept = new Uint8Array(RESPONSE_BODY_EXCERPT_MAX_BYTES);
  let keptBytes = 0;
  let readBytes = 0;
  const reader = response.body?.getReader();
  if (reader === undefined) return kept.subarray(0, 0);
  try {
    while (readBytes < RESPONSE_READ_LIMIT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      const wanted = Math.min(value.byteLength, kept.byteLength - keptBytes);
      kept.set(value.subarray(0, wanted), keptBytes);
      keptBytes += wanted;
      readBytes += value.byteLength;
    }
  } catch {
    // Timed out or cut off mid-body: what arrived is still worth keeping.
  } finally {
    // Frees the connection without waiting for the rest; never rejects the attempt.
    reader.cancel().catch(() => {});
  }
  return kept.subarray(0, keptBytes);
}

function failureOutcome(error: unknown, signal: AbortSignal): AttemptOutcome {
  if (signal.aborted || (error as { name?: unknown } | null)?.name === "TimeoutError") return { kind: "timeout" };
  return { kind: "network-error", code: errorCode(error) };
}

/**
 * The most specific code available: undici puts the system error (`ECONNREFUSED`) in `cause`. Duck-typed, not
 * `instanceof Error`: the error may come from another realm (a test VM calling Node's own fetch).
 */
function errorCode(error: unknown): string | undefined {
  let current = error as { code?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    if (typeof current.code === "string" && current.code !== "") return current.code;
    current = current.cause as typeof current;
  }
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" ? name : undefined;
}
