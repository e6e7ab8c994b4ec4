/** Base class of every error the gateway throws on purpose: `code` is stable, messages may change. */
export class OncegateGatewayError extends Error {
  // Every class names itself with a literal, not `new.target.name`: minifiers rename classes, and a bundled
  // Lambda would otherwise report its errors as `R` or `t`.
  override readonly name: string = "OncegateGatewayError";
  /** Machine-readable identifier, stable across releases (logs and alarms match on it). */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Thrown when a provider name does not match `^[a-z0-9][a-z0-9-]{0,62}$`. */
export class InvalidProviderNameError extends OncegateGatewayError {
  override readonly name: string = "InvalidProviderNameError";
  constructor(provider: unknown, options?: ErrorOptions) {
    // The name is short when valid; cap what an invalid one can put into a log line.
    super("invalid_provider_name", `Invalid provider name ${describeUntrusted(provider)}`, options);
  }
}

/** Thrown when an event id cannot be keyed: empty, too long, or not well-formed Unicode. */
export class InvalidEventIdError extends OncegateGatewayError {
  override readonly name: string = "InvalidEventIdError";
  constructor(problem: string, options?: ErrorOptions) {
    // The id itself stays out of the message: it is untrusted and may be a kilobyte long.
    super("invalid_event_id", `Invalid event id: ${problem}`, options);
  }
}

/** Thrown when a retry schedule has an entry that is not a whole number of seconds in range. */
export class InvalidRetryScheduleError extends OncegateGatewayError {
  override readonly name: string = "InvalidRetryScheduleError";
  constructor(problem: string, options?: ErrorOptions) {
    super("invalid_retry_schedule", `Invalid retry schedule: ${problem}`, options);
  }
}

/**
 * Thrown when the gateway configuration (or an environment variable it comes from) is invalid, at cold start.
 * The message starts with the field path, e.g. `providers.stripe.secrets[0]: expected { env } or { secretArn }`.
 */
export class InvalidConfigurationError extends OncegateGatewayError {
  override readonly name: string = "InvalidConfigurationError";
  /** Path of the offending field, e.g. `destinations[1].url`, or the environment variable's name. */
  readonly field: string;
  /** What is wrong with it, without the field: the message is `<field>: <problem>`. */
  readonly problem: string;

  constructor(field: string, problem: string, options?: ErrorOptions) {
    super("invalid_configuration", `${field}: ${problem}`, options);
    this.field = field;
    this.problem = problem;
  }
}

/** Thrown when a referenced secret cannot be read; the message names where it was looked for, never a value. */
export class SecretUnavailableError extends OncegateGatewayError {
  override readonly name: string = "SecretUnavailableError";
  constructor(problem: string, options?: ErrorOptions) {
    super("secret_unavailable", `Secret unavailable: ${problem}`, options);
  }
}

/** Thrown when delivery jobs could not all be put on the queue; the caller answers 503 and the sender retries. */
export class EnqueueFailedError extends OncegateGatewayError {
  override readonly name: string = "EnqueueFailedError";
  constructor(problem: string, options?: ErrorOptions) {
    super("enqueue_failed", `Could not enqueue delivery jobs: ${problem}`, options);
  }
}

/**
 * A short, log-safe name for any thrown value: the stable `code` of our errors, else the error's class name, or
 * for a plain `Error` from Node (a refused or reset connection) its system code such as `ECONNREFUSED`.
 */
export function errorCodeOf(error: unknown): string {
  if (error instanceof OncegateGatewayError) return error.code;
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  if (name === "Error" && typeof code === "string" && /^E[A-Z_]{2,30}$/.test(code)) return code;
  return typeof name === "string" && name !== "" ? name : "Error";
}

function describeUntrusted(value: unknown): string {
  if (typeof value !== "string") return `of type ${value === null ? "null" : typeof value}`;
  return value.length > 80
    ? `${JSON.stringify(value.slice(0, 80))}… (${value.length} characters)`
    : JSON.stringify(value);
}
