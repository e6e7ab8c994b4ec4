import { type Claim, type ClaimResult, claimKey } from "./claimLifecycle.ts";
import { ConfigurationError, OncegateSdkError } from "./errors.ts";
import type { ClaimRefusal } from "./idempotencyRecord.ts";
import { logInvocation } from "./invocationLog.ts";
import type { ResolvedOptions } from "./options.ts";
import { refusalError, refusalOutcome } from "./refusals.ts";
import { errorNameOf } from "./storeErrors.ts";
import type { UnitOfWork } from "./unitOfWork.ts";

/** A unit of work after its claim: the handler runs it, a stored result is replayed, or it is refused. */
export type UnitClaim =
  | { kind: "claimed"; claim: Claim; startedMs: number; claimMs: number }
  | { kind: "replay"; refusal: Extract<ClaimRefusal, { kind: "replay" }> }
  | { kind: "refused"; error: OncegateSdkError };

/**
 * Reads one unit's key and fingerprint and claims it; logs the line of every unit that will not run (a replay, a
 * refusal, a bad key, the store unreachable). Shared by single events and SQS records, so both log alike.
 * @throws ConfigurationError; any error that is not the SDK's own, after logging it as `unexpected_error`
 */
export async function claimUnit(
  options: ResolvedOptions,
  scope: string,
  readUnit: () => UnitOfWork,
  timeLeftMs: () => number,
): Promise<UnitClaim> {
  const startedMs = Date.now();
  let key: string | undefined;
  let result: ClaimResult;
  try {
    const unit = readUnit();
    key = unit.key;
    result = await claimKey(options, scope, unit.key, unit.fingerprint, timeLeftMs);
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const code = error instanceof OncegateSdkError ? error.code : "unexpected_error";
    const cause = error instanceof OncegateSdkError && error.cause !== undefined ? errorNameOf(error.cause) : undefined;
    logInvocation(options.logger, {
      scope,
      key,
      outcome: "rejected",
      error: code,
      ...(cause ? { cause } : {}),
      totalMs: Date.now() - startedMs,
    });
    if (!(error instanceof OncegateSdkError)) throw error;
    return { kind: "refused", error };
  }
  const claimMs = Date.now() - startedMs;
  if (result.kind === "claimed") return { kind: "claimed", claim: result.claim, startedMs, claimMs };
  const { refusal } = result;
  const error = refusal.kind === "replay" ? undefined : refusalError(refusal);
  logInvocation(options.logger, {
    scope,
    key,
    outcome: refusalOutcome(refusal),
    ...(error ? { error: error.code } : {}),
    claimMs,
    totalMs: Date.now() - startedMs,
  });
  return refusal.kind === "replay"
    ? { kind: "replay", refusal }
    : { kind: "refused", error: error as OncegateSdkError };
}
