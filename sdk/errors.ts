/**
 * Typed errors of the Oncegate SDK. Each has a stable machine-readable `code` (also the `error`
 * field of the JSON body the middleware answers with) and, for HTTP events, the status it maps to.
 */
export class OncegateSdkError extends Error {
  // Every class names itself with a literal, not `new.target.name`: minifiers rename classes, and a bundled
  // Lambda would otherwise report its errors as `R` or `t`.
  override readonly name: string = "OncegateSdkError";
  /** Stable machine-readable code, e.g. `in_progress`. */
  readonly code: string;
  /** HTTP status used when the failing event is an HTTP request. */
  readonly statusCode: number;

  constructor(code: string, statusCode: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.statusCode = statusCode;
  }
}

/** Invalid middleware options; thrown once, when the middleware is created (cold start). */
export class ConfigurationError extends OncegateSdkError {
  override readonly name: string = "ConfigurationError";
  constructor(field: string, problem: string) {
    super("invalid_configuration", 500, `oncegate: invalid option \`${field}\`: ${problem}`);
  }
}

/** The request carries no idempotency key. */
export class MissingIdempotencyKeyError extends OncegateSdkError {
  override readonly name: string = "MissingIdempotencyKeyError";
  constructor(message = "the request has no Idempotency-Key header") {
    super("missing_idempotency_key", 400, message);
  }
}

/** The idempotency key is too long or has control characters. */
export class InvalidIdempotencyKeyError extends OncegateSdkError {
  override readonly name: string = "InvalidIdempotencyKeyError";
  constructor(reason: string) {
    super("invalid_idempotency_key", 400, `invalid Idempotency-Key: ${reason}`);
  }
}

/** The key was already used with a different payload (Stripe's rule). */
export class IdempotencyKeyReusedError extends OncegateSdkError {
  override readonly name: string = "IdempotencyKeyReusedError";
  constructor() {
    super("idempotency_key_reused", 422, "this Idempotency-Key was already used with a different payload");
  }
}

/** Another invocation holds the claim and has not finished. */
export class InProgressError extends OncegateSdkError {
  override readonly name: string = "InProgressError";
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super("in_progress", 409, "another invocation is processing this Idempotency-Key");
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The handler failed earlier for this key; it is never re-entered automatically. */
export class PreviouslyFailedError extends OncegateSdkError {
  override readonly name: string = "PreviouslyFailedError";
  constructor() {
    super("previously_failed", 422, "the handler failed earlier for this Idempotency-Key and is not re-run");
  }
}

/** DynamoDB could not be reached, or throttled, while claiming: nothing ran, the sender should retry. */
export class StoreUnavailableError extends OncegateSdkError {
  override readonly name: string = "StoreUnavailableError";
  constructor(cause: unknown) {
    super("idempotency_store_unavailable", 503, "the idempotency store is unavailable; retry later", { cause });
  }
}

/**
 * DynamoDB refused the claim for good (missing table, access denied, a key too long for the table): a deployment
 * problem, not a passing one. Nothing ran. Answered 500, never 503, so it is not mistaken for throttling.
 */
export class StoreMisconfiguredError extends OncegateSdkError {
  override readonly name: string = "StoreMisconfiguredError";
  constructor(cause: unknown) {
    const causeName = (cause as { name?: string } | null)?.name ?? "Error";
    super(
      "idempotency_store_misconfigured",
      500,
      `the idempotency store refused the claim (${causeName}): check the table name, its key schema and the function's permissions`,
      { cause },
    );
  }
}

/**
 * The invocation timed out (Middy's early timeout) while the handler ran, or, outside Lambda, the handler's
 * `timeoutSeconds` passed: the claim stays IN_PROGRESS.
 */
export class HandlerTimedOutError extends OncegateSdkError {
  override readonly name: string = "HandlerTimedOutError";
  constructor(cause: unknown, what = "the invocation timed out") {
    super("handler_timed_out", 504, `${what} while the handler ran; it is not re-run automatically`, { cause });
  }
}

/** A `db` call was given a value DynamoDB cannot store as it is (a class instance such as `Date`, a function). */
export class InvalidDbInputError extends OncegateSdkError {
  override readonly name: string = "InvalidDbInputError";
  constructor(operation: string, cause: unknown) {
    super(
      "invalid_db_input",
      500,
      `db.${operation}: ${(cause as Error)?.message ?? cause}. Convert class instances yourself (a Date with toISOString() or getTime())`,
      { cause },
    );
  }
}

/** A `db` write was made after the handler's result was settled: it could never be committed. */
export class DbClosedError extends OncegateSdkError {
  override readonly name: string = "DbClosedError";
  constructor(operation: string) {
    super(
      "db_closed",
      500,
      `db.${operation} was called after the handler returned: its writes are already settled; await every db call inside the handler`,
    );
  }
}

/** The handler threw; the record is FAILED (or released, with `onError: "release"`). */
export class HandlerFailedError extends OncegateSdkError {
  override readonly name: string = "HandlerFailedError";
  constructor(cause: unknown) {
    super("handler_failed", 500, "the handler failed", { cause });
  }
}

/** The handler ran but its completion could not be recorded; the record stays IN_PROGRESS and is never re-run. */
export class CompletionFailedError extends OncegateSdkError {
  override readonly name: string = "CompletionFailedError";
  constructor(cause: unknown) {
    super("completion_failed", 500, "the handler ran but its completion could not be recorded", { cause });
  }
}

/** The handler buffered more writes than one DynamoDB transaction can hold next to the completion record. */
export class TooManyWritesError extends OncegateSdkError {
  override readonly name: string = "TooManyWritesError";
  constructor(limit: number) {
    super("too_many_writes", 500, `a handler may buffer at most ${limit} writes through \`db\` (one transaction)`);
  }
}

/** A condition on one of the handler's buffered writes failed at commit: none of them was applied. */
export class WriteConflictError extends OncegateSdkError {
  override readonly name: string = "WriteConflictError";
  /** Index of the first buffered write whose condition failed, in the order the handler made them. */
  readonly writeIndex: number;
  constructor(writeIndex: number, cause: unknown) {
    super("write_conflict", 500, `buffered write #${writeIndex} failed its condition; no write was applied`, {
      cause,
    });
    this.writeIndex = writeIndex;
  }
}

/** DynamoDB refused the handler's buffered writes as a request (e.g. two writes to one item): none was applied. */
export class InvalidWritesError extends OncegateSdkError {
  override readonly name: string = "InvalidWritesError";
  constructor(cause: unknown) {
    const failure = cause as { name?: string; message?: string } | undefined;
    super(
      "invalid_writes",
      500,
      `DynamoDB refused the buffered writes (${failure?.name ?? "Error"}): ${failure?.message ?? cause}`,
      {
        cause,
      },
    );
  }
}
