import { abandonClaim, type Claim, completeClaim } from "./claimLifecycle.ts";
import type { UnitClaim } from "./claimUnit.ts";
import { HandlerTimedOutError, type OncegateSdkError } from "./errors.ts";
import { handlerDeadline } from "./handlerDeadline.ts";
import { logInvocation } from "./invocationLog.ts";
import type { ResolvedOptions } from "./options.ts";
import type { TransactionalDb } from "./transactionalDb.ts";

/** What every handler outside Lambda gets besides its own arguments (request, reply…). */
export interface ClaimedCall {
  /** The idempotency key this run claimed. */
  key: string;
  /** Writes through `db` commit atomically with the completion record. */
  db: TransactionalDb;
  /**
   * Fires at the deadline (`timeoutSeconds`, with a `TimeoutError` reason): stop, and make no effect outside `db`
   * after it (pass it to `fetch`, or the AWS SDK's `abortSignal`). Never fires without a deadline.
   */
  signal: AbortSignal;
}

/** The handler's {@link ClaimedCall} for a claim and its deadline's signal. */
export function claimedCall(claim: Claim, signal: AbortSignal): ClaimedCall {
  return { key: claim.key, db: claim.db, signal };
}

/** How a claimed run ended, once its record is settled. */
export type ClaimedRun<T> =
  | { kind: "completed"; value: T }
  /** The run threw (its error, as thrown), or its value says it failed (`failure`): the onError policy applied. */
  | { kind: "failed"; value?: T; error: unknown }
  /** The run succeeded but its completion did not commit: `handlerFailed` when none of its writes applied. */
  | { kind: "settle_failed"; error: OncegateSdkError; handlerFailed: boolean }
  /** `timeoutSeconds` passed first: `db` closed, the record left IN_PROGRESS (a lease may let a later run take over). */
  | { kind: "timed_out"; error: HandlerTimedOutError };

/**
 * Runs `run` for a claimed unit outside Lambda's middleware (servers, `makeIdempotent`), then settles the record:
 * completed with the value (and the `db` writes), or, if `run` threw or `failure(value)` names an error, the onError
 * policy; if `timeoutSeconds` passes first, neither (the run may still be going). Logs the unit's one line either way.
 */
export async function runClaimed<T>(
  options: ResolvedOptions,
  scope: string,
  unit: Extract<UnitClaim, { kind: "claimed" }>,
  run: (claim: Claim, signal: AbortSignal) => Promise<T>,
  failure: (value: T) => Error | undefined = () => undefined,
): Promise<ClaimedRun<T>> {
  const { claim, startedMs, claimMs } = unit;
  const handlerStartedMs = Date.now();
  const log = (fields: { outcome: "executed" | "failed" | "timed_out"; error?: string }) =>
    logInvocation(options.logger, {
      scope,
      key: claim.key,
      ...fields,
      claimMs,
      handlerMs: Date.now() - handlerStartedMs,
      totalMs: Date.now() - startedMs,
    });
  // As a Lambda timeout: never released (the run may still be going), its late `db` writes refused.
  const deadline = handlerDeadline(options.timeoutSeconds, startedMs, claim.closeDb);
  let value: T;
  try {
    const raced = await deadline.race(run(claim, deadline.signal));
    if (raced.timedOut) {
      log({ outcome: "timed_out", error: "handler_timed_out" });
      return {
        kind: "timed_out",
        error: new HandlerTimedOutError(raced.reason, "its deadline (timeoutSeconds) passed"),
      };
    }
    value = raced.value;
  } catch (error) {
    await abandonClaim(options, claim, error);
    log({ outcome: "failed", error: "handler_failed" });
    return { kind: "failed", error };
  }
  const failed = failure(value);
  if (failed !== undefined) {
    await abandonClaim(options, claim, failed);
    log({ outcome: "failed", error: "handler_failed" });
    return { kind: "failed", value, error: failed };
  }
  const settled = await completeClaim(options, claim, value);
  if (settled.kind === "completed") {
    log({ outcome: "executed", ...(settled.responseStored ? {} : { error: "response_unstorable" }) });
    return { kind: "completed", value };
  }
  const error = settled.error as OncegateSdkError;
  const handlerFailed = settled.kind === "handler_failed";
  log({ outcome: "failed", error: handlerFailed ? "handler_failed" : error.code });
  return { kind: "settle_failed", error, handlerFailed };
}
