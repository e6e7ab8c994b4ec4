import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CompletionFailedError, InvalidWritesError, StoreUnavailableError, WriteConflictError } from "./errors.ts";
import { recordId } from "./idempotencyKey.ts";
import { type ClaimRefusal, type IdempotencyRecord, refusalFor } from "./idempotencyRecord.ts";
import type { ResolvedOptions } from "./options.ts";
import { claimRecord, completeRecord, failRecord, type RecordTable, releaseRecord } from "./recordStore.ts";
import { responseAttributes } from "./storedResponse.ts";
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
 * @throws StoreUnavailableError when DynamoDB fails or throttles (nothing ran; the sender should retry).
 */
export async function claimKey(
  options: ResolvedOptions,
  scope: string,
  key: string,
  fingerprint: string,
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
      const { db, writes } = createTransactionalDb(table.client);
      return { kind: "claimed", claim: { key, scope, id, ownerToken, db, writes } };
    }
    existing = result.existing;
  } catch (error) {
    throw new StoreUnavailableError(error);
  }
  return { kind: "refused", refusal: refusalFor(existing, fingerprint, nowMs, options.inProgressRetryAfterSeconds) };
}

export type SettleResult =
  | { kind: "completed" }
  | { kind: "handler_failed"; error: unknown }
  | { kind: "completion_failed"; error: CompletionFailedError };

/**
 * Records the handler's result: COMPLETED + response, committed with the handler's buffered writes.
 * A condition failing on one of those writes is the handler's failure (the onError policy applies);
 * any other failure leaves the record IN_PROGRESS so the handler is never re-run.
 */
export async function completeClaim(options: ResolvedOptions, claim: Claim, response: unknown): Promise<SettleResult> {
  const table = recordTable(options);
  const set = {
    completedAtMs: options.clock.nowMs(),
    ...responseAttributes(response, options.maxStoredResponseBytes),
  };
  try {
    const result = await completeRecord(table, claim, set, claim.writes);
    if (result.kind === "completed") return result;
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
  } catch (error) {
    return { kind: "completion_failed", error: new CompletionFailedError(error) };
  }
}

/**
 * Applies the onError policy after the handler threw: "fail" marks the record FAILED (never
 * re-run), "release" deletes it so the next delivery runs the handler again. Both are conditional
 * on our owner token. If the write itself fails, the record stays IN_PROGRESS: still never re-run.
 */
export async function abandonClaim(options: ResolvedOptions, claim: Claim, error: unknown): Promise<void> {
  const table = recordTable(options);
  const failure = error instanceof Error ? error : new Error(String(error));
  try {
    if (options.onError === "release") {
      await releaseRecord(table, claim);
    } else {
      await failRecord(table, claim, {
        failedAtMs: options.clock.nowMs(),
        errorName: failure.name.slice(0, 256),
        errorMessage: failure.message.slice(0, 1024),
      });
    }
  } catch (writeError) {
    options.logger({
      level: "error",
      msg: "oncegate.idempotency.abandon_failed",
      scope: claim.scope,
      key: claim.key,
      error: (writeError as Error).name,
      note: "the record stays IN_PROGRESS; the handler will not be re-run",
    });
  }
}
