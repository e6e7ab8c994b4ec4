import { InProgressError, OncegateSdkError } from "./errors.ts";
import type { StoredResponse } from "./idempotencyRecord.ts";

/** The response shape every HTTP integration (API Gateway v1/v2, Function URL, ALB) accepts. */
export interface HttpResponse {
  statusCode: number;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  [extra: string]: unknown;
}

/** Header that tells the caller how the SDK treated a duplicate. */
export const IDEMPOTENCY_STATUS_HEADER = "Idempotency-Status";

const JSON_TYPE = { "Content-Type": "application/json" };

function json(statusCode: number, body: object, headers: Record<string, string> = {}): HttpResponse {
  return { statusCode, headers: { ...JSON_TYPE, ...headers }, body: JSON.stringify(body) };
}

/**
 * The status of an error that says how it should be answered (an `http-errors` HttpError, as `@middy/util`'s
 * `createError` makes): an HTTP error handler such as `@middy/http-error-handler` shapes its answer, not us.
 * The SDK's own errors are excluded: they are answered by `errorResponse`.
 */
export function httpErrorStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || error instanceof OncegateSdkError) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return Number.isInteger(status) && (status as number) >= 400 && (status as number) <= 599
    ? (status as number)
    : undefined;
}

export function isHttpResponse(value: unknown): value is HttpResponse {
  return typeof value === "object" && value !== null && typeof (value as HttpResponse).statusCode === "number";
}

const STATUS_HEADER_BY_CODE: Record<string, string> = {
  in_progress: "in-progress",
  previously_failed: "failed",
  idempotency_key_reused: "mismatch",
};

/** `{ ok: false, error, message }` with the error's status; 409s carry `Retry-After`. */
export function errorResponse(error: OncegateSdkError): HttpResponse {
  const headers: Record<string, string> = {};
  const status = STATUS_HEADER_BY_CODE[error.code];
  if (status) headers[IDEMPOTENCY_STATUS_HEADER] = status;
  if (error instanceof InProgressError) headers["Retry-After"] = String(error.retryAfterSeconds);
  if (error.statusCode === 503) headers["Retry-After"] = "1";
  return json(error.statusCode, { ok: false, error: error.code, message: error.message }, headers);
}

/**
 * The stored response, replayed with `Idempotency-Status: replayed`. An HTTP-shaped result keeps
 * its status and body; any other value is answered the way API Gateway HTTP APIs answer it
 * (200, JSON body); a result that was not stored (oversize) or `undefined` gives `{ ok, deduped }`.
 */
export function replayResponse(stored: StoredResponse): HttpResponse {
  const replayed = { [IDEMPOTENCY_STATUS_HEADER]: "replayed" };
  if (stored.kind === "json") {
    const value = stored.value;
    if (isHttpResponse(value)) return { ...value, headers: { ...(value.headers ?? {}), ...replayed } };
    return json(200, value as object, replayed);
  }
  return json(200, { ok: true, deduped: true }, replayed);
}
