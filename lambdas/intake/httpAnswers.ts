import type { VerifyError } from "./signatures/types.ts";

/** A response in the shape API Gateway HTTP APIs (payload format 2.0) take. */
export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Every refusal code the intake answers with, and its HTTP status. */
export const REJECTION_STATUS = {
  unknown_provider: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  invalid_signature: 401,
  stale_timestamp: 401,
  missing_event_id: 400,
  missing_hook_id: 400,
  malformed_payload: 400,
  invalid_event_id: 400,
  replayed_body: 409,
  temporarily_unavailable: 503,
} as const satisfies Record<VerifyError, number> & Record<string, number>;

export type RejectionCode = keyof typeof REJECTION_STATUS;

// The sender retries a 503; a short hint keeps a burst of retries from arriving all at once.
const RETRY_AFTER_SECONDS = "5";

function json(statusCode: number, body: object, headers: Record<string, string> = {}): HttpAnswer {
  return { statusCode, headers: { "Content-Type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** `{ ok: false, error, message }` with the code's status (and `Allow` or `Retry-After` where HTTP expects one). */
export function rejection(code: RejectionCode, message: string): HttpAnswer {
  const headers: Record<string, string> = {};
  if (code === "method_not_allowed") headers.Allow = "POST";
  if (code === "temporarily_unavailable") headers["Retry-After"] = RETRY_AFTER_SECONDS;
  return json(REJECTION_STATUS[code], { ok: false, error: code, message }, headers);
}

/** 413 `payload_too_large`: what the intake answers above `maxBodyBytes`, and the local front before reading more. */
export function payloadTooLargeAnswer(maxBodyBytes: number): HttpAnswer {
  return rejection("payload_too_large", `the body is larger than ${maxBodyBytes} bytes`);
}

/** 202: stored and enqueued for the first time. */
export function acceptedAnswer(eventId: string, idempotencyKey: string): HttpAnswer {
  return json(202, { ok: true, eventId, idempotencyKey, duplicate: false });
}

/** 200: already stored; `requeued` when this request had to enqueue the jobs of an abandoned acceptance. */
export function duplicateAnswer(eventId: string, idempotencyKey: string, requeued: boolean): HttpAnswer {
  return json(200, { ok: true, duplicate: true, eventId, idempotencyKey, ...(requeued ? { requeued: true } : {}) });
}

/** 503 for any store, queue or secret failure: nothing was acknowledged, so the sender must retry. */
export function unavailableAnswer(): HttpAnswer {
  return rejection("temporarily_unavailable", "the event could not be stored and queued; retry later");
}
