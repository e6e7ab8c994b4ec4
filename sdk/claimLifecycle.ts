import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CompletionFailedError,
  InvalidWritesError,
  StoreMisconfiguredError,
  StoreUnavailableError,
  WriteConflictError,
} from "./errors.ts";
import { recordId } from "./idempotencyKey.ts";
import { type ClaimRefusal, type IdempotencyRecord, refusalFor } from "./idempotencyRecord.ts";
import type { ResolvedOptions } from "./options.ts";
import { claimRecord, completeRecord, failRecord, type RecordTable, releaseRecord } from "./recordStore.ts";
import { withSettleRetries } from "./retryBudget.ts";
import { responseAttributes } from "./storedResponse.ts";
import { errorNameOf, storeErrorKind } from "./storeErrors.ts";
import { createTransactionalDb, type TransactionalDb } from "./transactionalDb.ts";

/**
 * The claim → run → settle lifecycle of one key, shared by the middleware and `idempotent()`.
 * The key, record id and payload fingerprint are fixed here, at claim time: a handler that mutates
 * its event still completes exactly the record it claimed.
 */
export interface Claim {
  readonly key: string;
  readonly scope: string;
  readonly id: string;
  readonly ownerToken: string;
  readonly db: TransactionalDb;
  readonly writes: ReturnType<typeof createTransactionalDb>["writes"];
  /** Ends the handler's `db`: a write after this throws instead of being silently dropped. */
  readonly closeDb: () => void;
  /** Milliseconds the invocation may still spend settling this claim. */
  readonly timeLeftMs: () => number;
}

export type ClaimResult = { kind: "claimed"; claim: Claim } | { kind: "refused"; refusal: ClaimRefusal };

let defaultClient: DynamoDBClient | undefined;

/** One client per process, from the standard AWS SDK configuration (region, credentials, `AWS_ENDPOINT_URL_DYNAMODB`). */
function clientFor(options: ResolvedOptions): DynamoDBClient {
  if (options.client) return options.client;
  defaultClient ??= new DynamoDBClient({});
  return defaultClient;
}

export function recordTable(options: ResolvedOptions): RecordTable {
  return { client: clientFor(options), tableName: options.tableName };
}

/**
 * Claims `key` in `scope`: one conditional PutItem.
 * @throws StoreUnavailableError when DynamoDB throttles, times out or fails (nothing ran; the sender should
 *   retry); StoreMisconfiguredError when it refuses the claim for good (missing table, access denied, validation).
 */
export async function claimKey(
  options: ResolvedOptions,
  scope: string,
  key: string,
  fingerprint: string,
  timeLeftMs: () => number,
): Promise<ClaimResult> {
  const table = recordTable(options);
  const id = recordId(scope, key);
  const ownerToken = randomUUID();
  const nowMs = options.clock.nowMs();
  let existing: IdempotencyRecord;
  try {
    const result = await claimRecord(table, {
      id,
      ownerToken,
      fingerprint,
      nowMs,
      retentionSeconds: options.retentionSeconds,
      leaseSeconds: options.inProgressLeaseSeconds,
    });
    if (result.claimed) {
      const { db, writes, close } = createTransactionalDb(table.client);
      return { kind: "claimed", claim: { key, scope, id, ownerToken, db, writes, closeDb: close, timeLeftMs } };
    }
    existing = result.existing;
  } catch (error) {
    if (storeErrorKind(error) === "refused") throw new StoreMisconfiguredError(error);
    // One of the SDK's attempts may have been applied without its answer reaching us (the last one's error says
    // nothing of the earlier ones): take our own claim back (conditional on our owner token; the handler never
    // ran), or the sender's retry would find it and be refused 409 for good.
    await withdrawClaim(options, table, { id, ownerToken, scope, key }, timeLeftMs);
    throw new StoreUnavailableError(error);
  }
  return { kind: "refused", refusal: refusalFor(existing, fingerprint, nowMs, options.inProgressRetryAfterSeconds) };
}

async function withdrawClaim(
  options: ResolvedOptions,
  table: RecordTable,
  claim: { id: string; ownerToken: string; scope: string; key: string },
  timeLeftMs: () => number,
): Promise<void> {
  const withdrawn = await withSettleRetries({ timeLeftMs }, () => releaseRecord(table, claim));
  if (withdrawn.ok) return;
  options.logger({
    level: "error",
    msg: "oncegate.idempotency.claim_unresolved",
    scope: claim.scope,
    key: claim.key,
    cause: errorNameOf(withdrawn.error),
    note: "the claim's outcome is unknown and it could not be withdrawn; if it was applied the key stays IN_PROGRESS",
  });
}

export type SettleResult =
  | { kind: "completed"; responseStored: boolean }
  | { kind: "handler_failed"; error: unknown }
  | { kind: "completion_failed"; error: CompletionFailedError };

/**
 * Records the handler's result: COMPLETED + response, committed with the handler's buffered writes, retried
 * inside the time left. What happens when it does not commit depends on what DynamoDB said:
 * - a condition on one of the handler's writes failed, or DynamoDB refused the writes or kept throttling: nothing
 *   was applied, so it is the handler's failure and the onError policy applies;
 * - the outcome is unknown (no answer, a 5xx, after every retry) or the claim was taken over: the record is left
 *   as it is (IN_PROGRESS, never re-run), reported as `completion_failed` and logged at error level.
 */
export async function completeClaim(options: ResolvedOptions, claim: Claim, response: unknown): Promise<SettleResult> {
  claim.closeDb();
  const table = recordTable(options);
  const stored = responseAttributes(response, options.maxStoredResponseBytes);
  const set = { completedAtMs: options.clock.nowMs(), ...stored };
  const commit = await withSettleRetries({ timeLeftMs: claim.timeLeftMs }, () =>
    completeRecord(table, claim, set, claim.writes),
  );
  if (!commit.ok) {
    if (commit.kind === "unknown" || commit.sawUnknown) {
      return { kind: "completion_failed", error: new CompletionFailedError(commit.error) };
    }
    const error = new InvalidWritesError(commit.error);
    await abandonClaim(options, claim, error);
    return { kind: "handler_failed", error };
  }
  const result = commit.value;
  if (result.kind === "completed") return { kind: "completed", responseStored: stored.responseKind !== "unstorable" };
  if (result.kind === "write_conflict" || result.kind === "invalid_writes") {
    const error =
      result.kind === "write_conflict"
        ? new WriteConflictError(result.writeIndex, result.cause)
        : new InvalidWritesError(result.cause);
    await abandonClaim(options, claim, error);
    return { kind: "handler_failed", error };
  }
  return {
    kind: "completion_failed",
    error: new CompletionFailedError(new Error(`the claim was taken over (record is ${result.existing?.status})`)),
  };
}

/**
 * Applies the onError policy after the handler failed: "fail" marks the record FAILED (never re-run), "release"
 * deletes it so the next delivery runs the handler again. Both are conditional on our owner token and retried
 * inside the time left. If the write still fails, the record stays IN_PROGRESS (still never re-run), logged.
 * Never called for a timeout: a handler that may still be running keeps its claim.
 */
export async function abandonClaim(options: ResolvedOptions, claim: Claim, error: unknown): Promise<void> {
  claim.closeDb();
  const table = recordTable(options);
  const failure = error instanceof Error ? error : new Error(String(error));
  const written = await withSettleRetries({ timeLeftMs: claim.timeLeftMs }, () =>
    options.onError === "release"
      ? releaseRecord(table, claim)
      : failRecord(table, claim, {
          failedAtMs: options.clock.nowMs(),
          errorName: failure.name.slice(0, 256),
          errorMessage: failure.message.slice(0, 1024),
        }),
  );
  if (written.ok) return;
  options.logger({
    level: "error",
    msg: "oncegate.idempotency.abandon_failed",
    scope: claim.scope,
    key: claim.key,
    cause: errorNameOf(written.error),
    note: "the record stays IN_PROGRESS; the handler will not be re-run",
  });
}
