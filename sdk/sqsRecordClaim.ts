import { type Claim, claimKey } from "./claimLifecycle.ts";
import { ConfigurationError, OncegateSdkError } from "./errors.ts";
import type { SqsRecordLike } from "./eventShape.ts";
import { logInvocation } from "./invocationLog.ts";
import type { ResolvedOptions } from "./options.ts";
import { refusalOutcome } from "./refusals.ts";
import { unitOfSqsRecord } from "./unitOfWork.ts";

/** A claimed record goes to the handler; any other is settled here: reported to SQS for redelivery, or not. */
export type SqsRecordClaim = { kind: "claimed"; claim: Claim } | { kind: "settled"; report: boolean };

/**
 * Claims one SQS record. Refusals and bad records are logged here. Anything but a replay is
 * reported in `batchItemFailures`, so SQS redelivers it and, in the end, moves it to the DLQ;
 * the handler never runs for it.
 */
export async function claimSqsRecord(
  options: ResolvedOptions,
  scope: string,
  record: SqsRecordLike,
): Promise<SqsRecordClaim> {
  const startedMs = Date.now();
  let key: string | undefined;
  try {
    const unit = unitOfSqsRecord(record, options.getKey);
    key = unit.key;
    const result = await claimKey(options, scope, unit.key, unit.fingerprint);
    if (result.kind === "claimed") return result;
    logInvocation(options.logger, {
      scope,
      key,
      outcome: refusalOutcome(result.refusal),
      totalMs: Date.now() - startedMs,
    });
    return { kind: "settled", report: result.refusal.kind !== "replay" };
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const code = error instanceof OncegateSdkError ? error.code : "unexpected_error";
    logInvocation(options.logger, { scope, key, outcome: "rejected", error: code, totalMs: Date.now() - startedMs });
    return { kind: "settled", report: true };
  }
}
