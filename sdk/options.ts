import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type Clock, systemClock } from "./clock.ts";
import { ConfigurationError } from "./errors.ts";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "./idempotencyKey.ts";

/** What the idempotency middleware and `idempotent()` accept. */
export interface IdempotencyOptions {
  /** DynamoDB table holding the records; partition key `id` (string), TTL attribute `expiresAt`. */
  tableName: string;
  /** Namespace of the records, so two consumers of one event each run once. @default the Lambda function name */
  scope?: string;
  /** Reads the key from an event (for SQS: from one record). @default HTTP `Idempotency-Key` header, SQS attribute `IdempotencyKey`, EventBridge `id` */
  getKey?: (event: unknown) => string | undefined;
  /** What happens to the record when the handler throws. @default "fail" */
  onError?: "fail" | "release";
  /** How long a record is kept (DynamoDB TTL). @default 604800 (7 days) */
  retentionSeconds?: number;
  /** Larger responses are stored as a fingerprint only. @default 65536 */
  maxStoredResponseBytes?: number;
  /**
   * Opt-in: an IN_PROGRESS claim older than this may be taken over by a later invocation (after a
   * crash or timeout). Must be at least the function timeout. Exactly-once only for handlers whose
   * effects all go through `db`. @default undefined (never taken over)
   */
  inProgressLeaseSeconds?: number;
  /**
   * Outside Lambda only (servers, `makeIdempotent`): the handler's deadline, counted from the claim. The handler gets
   * an `AbortSignal` that fires at it; a run still going then is answered `504 handler_timed_out` (thrown as
   * `HandlerTimedOutError`), its `db` closed and its record left `IN_PROGRESS`. Required for a lease there. On
   * Lambda the function's timeout is the deadline. @default undefined (no deadline)
   */
  timeoutSeconds?: number;
  /** `Retry-After` answered while a claim without lease is in progress. @default 5 */
  inProgressRetryAfterSeconds?: number;
  /** Your own DynamoDB client. @default one client per process, from the standard AWS SDK configuration */
  client?: DynamoDBClient;
  /** Where the per-invocation JSON log line goes. @default console.log */
  logger?: (line: Record<string, unknown>) => void;
  /** Time source (tests). @default the system clock */
  clock?: Clock;
}

/** Options after validation, with every default applied. */
export interface ResolvedOptions {
  tableName: string;
  scope: string | undefined;
  getKey: ((event: unknown) => string | undefined) | undefined;
  onError: "fail" | "release";
  retentionSeconds: number;
  maxStoredResponseBytes: number;
  inProgressLeaseSeconds: number | undefined;
  timeoutSeconds: number | undefined;
  inProgressRetryAfterSeconds: number;
  client: DynamoDBClient | undefined;
  logger: (line: Record<string, unknown>) => void;
  clock: Clock;
}

export const defaults = {
  onError: "fail",
  retentionSeconds: 7 * 24 * 3600,
  maxStoredResponseBytes: 64 * 1024,
  inProgressRetryAfterSeconds: 5,
} as const;

// DynamoDB items hold at most 400 KB; leave room for the record's other attributes.
const MAX_STORABLE_RESPONSE_BYTES = 350 * 1024;

// Every option the SDK reads. Anything else is a mistake (a typo, or a leftover such as `createTable`, whose job
// moved to `@oncegate/sdk/table-setup`), refused by name rather than silently ignored.
const KNOWN_OPTIONS: ReadonlySet<string> = new Set([
  "tableName",
  "scope",
  "getKey",
  "onError",
  "retentionSeconds",
  "maxStoredResponseBytes",
  "inProgressLeaseSeconds",
  "timeoutSeconds",
  "inProgressRetryAfterSeconds",
  "client",
  "logger",
  "clock",
] satisfies (keyof IdempotencyOptions)[]);

const MOVED_OPTIONS: Record<string, string> = {
  createTable: "table set-up moved to `ensureIdempotencyTable` from `@oncegate/sdk/table-setup`",
};

// DynamoDB caps a partition key at 2048 bytes. A record id is `encodeURIComponent(scope)#key`, and a key of
// MAX_IDEMPOTENCY_KEY_LENGTH UTF-16 units takes at most 3 bytes per unit in UTF-8.
const MAX_PARTITION_KEY_BYTES = 2048;

function positiveInteger(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ConfigurationError(field, `must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Where options are used: on Lambda, whose timeout ends every run; or outside it (the server adapters,
 * `makeIdempotent`), where only `timeoutSeconds` gives a run an end.
 */
export type Runtime = "lambda" | "server";

/**
 * A server has no remaining-time clock: the settle writes (completion, failure) get this long for their retries
 * (throttling, a transaction conflict, an answer lost), bounded as well by their number of tries.
 */
export const SERVER_SETTLE_BUDGET_MS = 10_000;

/**
 * Validates options once, when the middleware is created, so a mistake fails at cold start with
 * a message naming the field instead of on the first webhook.
 * @throws ConfigurationError
 */
export function resolveOptions(options: IdempotencyOptions, runtime: Runtime = "lambda"): ResolvedOptions {
  if (typeof options !== "object" || options === null) throw new ConfigurationError("options", "must be an object");
  for (const name of Object.keys(options)) {
    if (KNOWN_OPTIONS.has(name)) continue;
    throw new ConfigurationError(
      name,
      MOVED_OPTIONS[name] ?? `is not an option of the SDK (known: ${[...KNOWN_OPTIONS].join(", ")})`,
    );
  }
  if (typeof options.tableName !== "string" || options.tableName.trim() === "") {
    throw new ConfigurationError("tableName", "must be a non-empty string (is IDEMPOTENCY_TABLE set?)");
  }
  if (options.scope !== undefined && (typeof options.scope !== "string" || options.scope === "")) {
    throw new ConfigurationError("scope", "must be a non-empty string when given");
  }
  if (options.scope !== undefined) assertScopeFits(options.scope);
  if (options.getKey !== undefined && typeof options.getKey !== "function") {
    throw new ConfigurationError("getKey", "must be a function");
  }
  const onError = options.onError ?? defaults.onError;
  if (onError !== "fail" && onError !== "release") {
    throw new ConfigurationError("onError", `must be "fail" or "release", got ${JSON.stringify(onError)}`);
  }
  const retentionSeconds = positiveInteger("retentionSeconds", options.retentionSeconds ?? defaults.retentionSeconds);
  const maxStoredResponseBytes =
    options.maxStoredResponseBytes === 0
      ? 0
      : positiveInteger(
          "maxStoredResponseBytes",
          options.maxStoredResponseBytes ?? defaults.maxStoredResponseBytes,
          MAX_STORABLE_RESPONSE_BYTES,
        );
  const inProgressLeaseSeconds =
    options.inProgressLeaseSeconds === undefined
      ? undefined
      : positiveInteger("inProgressLeaseSeconds", options.inProgressLeaseSeconds, retentionSeconds);
  const timeoutSeconds =
    options.timeoutSeconds === undefined
      ? undefined
      : positiveInteger("timeoutSeconds", options.timeoutSeconds, retentionSeconds);
  if (runtime === "lambda" && timeoutSeconds !== undefined) {
    throw new ConfigurationError(
      "timeoutSeconds",
      "is for servers and makeIdempotent: on Lambda the function's timeout is the handler's deadline (the wrapper's signal fires before it)",
    );
  }
  if (runtime === "server") assertServerDeadline(inProgressLeaseSeconds, timeoutSeconds, retentionSeconds);
  const inProgressRetryAfterSeconds = positiveInteger(
    "inProgressRetryAfterSeconds",
    options.inProgressRetryAfterSeconds ?? defaults.inProgressRetryAfterSeconds,
  );
  return {
    tableName: options.tableName,
    scope: options.scope,
    getKey: options.getKey,
    onError,
    retentionSeconds,
    maxStoredResponseBytes,
    inProgressLeaseSeconds,
    timeoutSeconds,
    inProgressRetryAfterSeconds,
    client: options.client,
    logger: options.logger ?? ((line) => console.log(JSON.stringify(line))),
    clock: options.clock ?? systemClock,
  };
}

/**
 * Outside Lambda nothing ends a run but its deadline (`timeoutSeconds`), after which its completion may still be
 * committing for up to the settle budget: a lease without a deadline, or shorter than both, could let a later
 * delivery take over a claim whose first run still goes on (two runs); a record that expires meanwhile, the same.
 * @throws ConfigurationError
 */
function assertServerDeadline(
  leaseSeconds: number | undefined,
  timeoutSeconds: number | undefined,
  retentionSeconds: number,
): void {
  if (timeoutSeconds === undefined) {
    if (leaseSeconds === undefined) return;
    throw new ConfigurationError(
      "inProgressLeaseSeconds",
      "needs timeoutSeconds outside Lambda: nothing else ends a run that outlives the lease, so a later delivery could run it a second time (without a lease, a crash leaves the key IN_PROGRESS, never re-run)",
    );
  }
  const runEndSeconds = timeoutSeconds + SERVER_SETTLE_BUDGET_MS / 1000;
  if (leaseSeconds !== undefined && leaseSeconds < runEndSeconds) {
    throw new ConfigurationError(
      "inProgressLeaseSeconds",
      `${leaseSeconds}s is shorter than timeoutSeconds + ${SERVER_SETTLE_BUDGET_MS / 1000}s for the completion's retries (${runEndSeconds}s): a run may still be committing when the lease ends`,
    );
  }
  if (retentionSeconds < runEndSeconds) {
    throw new ConfigurationError(
      "retentionSeconds",
      `${retentionSeconds}s is shorter than timeoutSeconds + ${SERVER_SETTLE_BUDGET_MS / 1000}s (${runEndSeconds}s): a record must outlive the run that claimed it`,
    );
  }
}

/**
 * A scope long enough that a record id could pass DynamoDB's 2048-byte partition key limit would make some claims
 * fail with a ValidationException at run time: refused here instead.
 * @throws ConfigurationError
 */
export function assertScopeFits(scope: string): void {
  const worstCaseBytes = Buffer.byteLength(encodeURIComponent(scope), "utf8") + 1 + MAX_IDEMPOTENCY_KEY_LENGTH * 3;
  if (worstCaseBytes > MAX_PARTITION_KEY_BYTES) {
    throw new ConfigurationError(
      "scope",
      `is too long: with a ${MAX_IDEMPOTENCY_KEY_LENGTH}-character key the record id could reach ${worstCaseBytes} bytes, over DynamoDB's ${MAX_PARTITION_KEY_BYTES}-byte partition key limit`,
    );
  }
}

/**
 * The checks that need the Lambda context, run on the first invocation (the context says how long the function
 * may run): the lease and the retention must both outlive a run.
 * @throws ConfigurationError
 */
export function assertTimeBudget(options: ResolvedOptions, remainingTimeMs: number | undefined): void {
  assertLeaseCoversTimeout(options.inProgressLeaseSeconds, remainingTimeMs);
  assertRetentionCoversTimeout(options.retentionSeconds, remainingTimeMs);
}

/**
 * A record that expires while its handler still runs could be claimed again (a second concurrent run), so the
 * retention must outlive the function.
 * @throws ConfigurationError
 */
export function assertRetentionCoversTimeout(retentionSeconds: number, remainingTimeMs: number | undefined): void {
  if (remainingTimeMs === undefined) return;
  if (retentionSeconds * 1000 < remainingTimeMs) {
    throw new ConfigurationError(
      "retentionSeconds",
      `${retentionSeconds}s is shorter than the function's remaining time (${Math.ceil(remainingTimeMs / 1000)}s): a record must outlive the run that claimed it`,
    );
  }
}

/**
 * The lease must outlive the function: a lease shorter than the timeout would let a second
 * invocation take over a claim whose handler is still running. Checked on the first invocation,
 * where the Lambda context tells how long the function may run.
 * @throws ConfigurationError
 */
export function assertLeaseCoversTimeout(leaseSeconds: number | undefined, remainingTimeMs: number | undefined): void {
  if (leaseSeconds === undefined || remainingTimeMs === undefined) return;
  if (leaseSeconds * 1000 < remainingTimeMs) {
    throw new ConfigurationError(
      "inProgressLeaseSeconds",
      `${leaseSeconds}s is shorter than the function's remaining time (${Math.ceil(remainingTimeMs / 1000)}s): it must be at least the function timeout`,
    );
  }
}
