import { abandonClaim, type Claim, completeClaim } from "./claimLifecycle.ts";
import type { SqsRecordLike } from "./eventShape.ts";
import { parsePayload } from "./eventShape.ts";
import { messageGroupOf, reportedWithLaterGroupRecords } from "./fifoOrder.ts";
import { logInvocation } from "./invocationLog.ts";
import { type LambdaTimeLike, timeLeftOf } from "./invocationTime.ts";
import type { ResolvedOptions } from "./options.ts";
import { claimSqsRecord } from "./sqsRecordClaim.ts";
import type { TransactionalDb } from "./transactionalDb.ts";

/** Time kept for one completion commit (with a retry) after a handler run. */
export const COMMIT_RESERVE_MS = 500;

export type RecordHandler = (input: {
  record: SqsRecordLike;
  payload: unknown;
  key: string;
  db: TransactionalDb;
  signal: AbortSignal;
}) => unknown | Promise<unknown>;

const TIMED_OUT = Symbol("timed out");

/**
 * `idempotent()` on an SQS batch: one record at a time, each its own claim and its own `db` transaction.
 * - A record is claimed only while the time left covers the longest handler run seen so far plus a commit;
 *   the rest are reported unclaimed, so none is claimed and then cut off by the timeout.
 * - A handler still running when the invocation is about to end keeps its claim IN_PROGRESS (it may have applied
 *   effects); it and every later record are reported.
 * - FIFO: after a record of a group is reported, no later record of that group runs.
 */
export async function runRecordLoop(
  options: ResolvedOptions,
  scope: string,
  records: SqsRecordLike[],
  context: LambdaTimeLike,
  handler: RecordHandler,
): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  const timeLeftMs = timeLeftOf(context);
  const reported = new Set<string>();
  const stoppedGroups = new Set<string>();
  let longestHandlerMs = 0;
  const log = (fields: Parameters<typeof logInvocation>[1]) => logInvocation(options.logger, fields);

  for (const [index, record] of records.entries()) {
    const group = messageGroupOf(record);
    if (group !== undefined && stoppedGroups.has(group)) continue; // reported below, with its group
    if (timeLeftMs() < longestHandlerMs + COMMIT_RESERVE_MS) {
      for (const rest of records.slice(index)) reported.add(rest.messageId);
      log({ scope, key: undefined, outcome: "skipped", error: "no_time_left", totalMs: 0 });
      break;
    }
    const startedMs = Date.now();
    const report = () => {
      reported.add(record.messageId);
      if (group !== undefined) stoppedGroups.add(group);
    };
    const claimed = await claimSqsRecord(options, scope, record, timeLeftMs);
    if (claimed.kind === "settled") {
      if (claimed.report) report();
      continue;
    }
    const { claim } = claimed;
    const handlerStartedMs = Date.now();
    const run = await runWithinInvocation(claim, timeLeftMs, (signal) =>
      handler({ record, payload: parsePayload(record.body), key: claim.key, db: claim.db, signal }),
    );
    const handlerMs = Date.now() - handlerStartedMs;
    longestHandlerMs = Math.max(longestHandlerMs, handlerMs);
    if (run.kind === "timed_out") {
      for (const rest of records.slice(index)) reported.add(rest.messageId);
      log({
        scope,
        key: claim.key,
        outcome: "timed_out",
        error: "handler_timed_out",
        handlerMs,
        totalMs: Date.now() - startedMs,
      });
      break;
    }
    if (run.kind === "threw") {
      await abandonClaim(options, claim, run.error);
      report();
      log({
        scope,
        key: claim.key,
        outcome: "failed",
        error: "handler_failed",
        handlerMs,
        totalMs: Date.now() - startedMs,
      });
      continue;
    }
    // completeClaim never throws: a failure to record completion comes back as a result.
    const settled = await completeClaim(options, claim, run.value);
    if (settled.kind !== "completed") report();
    const error =
      settled.kind === "completed" ? (settled.responseStored ? undefined : "response_unstorable") : settled.kind;
    log({
      scope,
      key: claim.key,
      outcome: settled.kind === "completed" ? "executed" : "failed",
      ...(error ? { error } : {}),
      handlerMs,
      totalMs: Date.now() - startedMs,
    });
  }
  return {
    batchItemFailures: reportedWithLaterGroupRecords(records, reported).map((itemIdentifier) => ({ itemIdentifier })),
  };
}

/**
 * Runs the handler, racing the end of the invocation (like Middy's early timeout, which `idempotent()`'s batch
 * path does not go through): when the time left runs out first, the handler's signal aborts and its `db` closes.
 */
async function runWithinInvocation(
  claim: Claim,
  timeLeftMs: () => number,
  run: (signal: AbortSignal) => unknown,
): Promise<{ kind: "returned"; value: unknown } | { kind: "threw"; error: unknown } | { kind: "timed_out" }> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = timeLeftMs();
  const timeout = Number.isFinite(deadline)
    ? new Promise<typeof TIMED_OUT>((resolve) => {
        timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline));
      })
    : undefined;
  try {
    const handlerRun = Promise.resolve().then(() => run(abort.signal));
    const value = await (timeout ? Promise.race([handlerRun, timeout]) : handlerRun);
    if (value === TIMED_OUT) {
      abort.abort();
      claim.closeDb();
      handlerRun.catch(() => {}); // its late failure has no one left to tell
      return { kind: "timed_out" };
    }
    return { kind: "returned", value };
  } catch (error) {
    return { kind: "threw", error };
  } finally {
    clearTimeout(timer);
  }
}
