import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type Clock, systemClock } from "./clock.ts";
import { ConfigurationError } from "./errors.ts";

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

function positiveInteger(field: string, value: unknown, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
    throw new ConfigurationError(field, `must be a whole number from 1 to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Validates options once, when the middleware is created, so a mistake fails at cold start with
 * a message naming the field instead of on the first webhook.
 * @throws ConfigurationError
 */
export function resolveOptions(options: IdempotencyOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) throw new ConfigurationError("options", "must be an object");
  if (typeof options.tableName !== "string" || options.tableName.trim() === "") {
    throw new ConfigurationError("tableName", "must be a non-empty string (is IDEMPOTENCY_TABLE set?)");
  }
  if (options.scope !== undefined && (typeof options.scope !== "string" || options.scope === "")) {
    throw new ConfigurationError("scope", "must be a non-empty string when given");
  }
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
    inProgressRetryAfterSeconds,
    client: options.client,
    logger: options.logger ?? ((line) => console.log(JSON.stringify(line))),
    clock: options.clock ?? systemClock,
  };
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
