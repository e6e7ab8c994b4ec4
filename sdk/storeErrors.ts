/**
 * What a failed DynamoDB call tells about its write, decided from the error alone (pure, no I/O). The claim and
 * the commit act on this one answer:
 * - `throttled`: DynamoDB refused the request for now and applied nothing (throttling, a transaction conflict):
 *   retrying is safe and may succeed.
 * - `unknown`: no answer, a timeout, a 5xx, a transaction still in progress: the write may or may not have been
 *   applied. Only a conditional or token-guarded retry is safe.
 * - `refused`: a definite 4xx refusal that a retry will not change (missing table, access denied, validation):
 *   nothing was applied; it is a configuration or input problem.
 */
export type StoreErrorKind = "throttled" | "unknown" | "refused";

// DynamoDB's throttling codes (the SDK already retried these with backoff before we see them).
const THROTTLING = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "Throttling",
  "TooManyRequestsException",
]);

// Errors that carry no decision: the request may have been applied.
const UNKNOWN_OUTCOME = new Set([
  "TimeoutError",
  "RequestTimeout",
  "RequestTimeoutException",
  "TransactionInProgressException",
  "InternalServerError",
  "InternalFailure",
  "ServiceUnavailable",
]);

// TransactionCanceledException reasons that mean "not now" rather than "never": DynamoDB applied none of the
// transaction's writes, and the same request can succeed later.
const TRANSIENT_CANCELLATION = new Set([
  "None",
  "TransactionConflict",
  "ThrottlingError",
  "ProvisionedThroughputExceeded",
]);

interface ErrorLike {
  name?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  CancellationReasons?: { Code?: unknown }[];
}

/** Classifies a DynamoDB error (never a ConditionalCheckFailed: callers read those as answers, not failures). */
export function storeErrorKind(error: unknown): StoreErrorKind {
  const failure = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  const name = typeof failure.name === "string" ? failure.name : "";
  if (THROTTLING.has(name)) return "throttled";
  if (name === "TransactionCanceledException") {
    const codes = (failure.CancellationReasons ?? []).map((reason) => String(reason?.Code ?? "None"));
    return codes.length > 0 && codes.every((code) => TRANSIENT_CANCELLATION.has(code)) ? "throttled" : "refused";
  }
  if (UNKNOWN_OUTCOME.has(name)) return "unknown";
  const status = failure.$metadata?.httpStatusCode;
  if (typeof status === "number") return status >= 500 ? "unknown" : "refused";
  // No HTTP answer at all (connection refused or reset, DNS, socket hang up): the request may have reached DynamoDB.
  return "unknown";
}

/** The error's name, for logs: never its message, which can quote item values. */
export function errorNameOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === "string" && name !== "" ? name.slice(0, 128) : typeof error;
}
