/**
 * Errors of the operator library (`ops/`): each has a stable `code` (scripts and the console match on it; messages
 * may change) and a `kind` that says what went wrong, which the CLI turns into its exit code. Every message is one
 * sentence that says what to do.
 */

/** What kind of failure: the caller's input (`usage`), something that does not exist (`not_found`), or the rest. */
export type OperatorErrorKind = "usage" | "not_found" | "failed";

/** Base class of every error the operator library throws on purpose. */
export class OperatorError extends Error {
  override readonly name: string = "OperatorError";
  /** Machine-readable identifier, stable across releases. */
  readonly code: string;
  readonly kind: OperatorErrorKind;

  constructor(kind: OperatorErrorKind, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
    this.code = code;
  }
}

/** The input cannot be acted on: a malformed key, a missing or contradictory option. */
export class OperatorUsageError extends OperatorError {
  override readonly name: string = "OperatorUsageError";
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("usage", code, message, options);
  }
}

/** The stack, table, record or event named does not exist. */
export class NotFoundError extends OperatorError {
  override readonly name: string = "NotFoundError";
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("not_found", code, message, options);
  }
}

/** The target cannot be reached or used: the local stack is down, no AWS credentials, access denied. */
export class TargetError extends OperatorError {
  override readonly name: string = "TargetError";
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("failed", code, message, options);
  }
}

/** The operation was refused, by its own rules or because the state changed meanwhile; nothing was written. */
export class RefusedError extends OperatorError {
  override readonly name: string = "RefusedError";
  constructor(code: string, message: string, options?: ErrorOptions) {
    super("failed", code, message, options);
  }
}
