import type { Claim } from "./claimLifecycle.ts";
import { claimUnit } from "./claimUnit.ts";
import { ConfigurationError } from "./errors.ts";
import type { SqsRecordLike } from "./eventShape.ts";
import type { ResolvedOptions } from "./options.ts";
import { unitOfSqsRecord } from "./unitOfWork.ts";

/** A claimed record goes to the handler; any other is settled here: reported to SQS for redelivery, or not. */
export type SqsRecordClaim = { kind: "claimed"; claim: Claim } | { kind: "settled"; report: boolean };

/**
 * Claims one SQS record. Anything but a replay is reported in `batchItemFailures`, so SQS redelivers it and, in
 * the end, moves it to the DLQ; the handler never runs for it. One bad record never fails the others.
 */
export async function claimSqsRecord(
  options: ResolvedOptions,
  scope: string,
  record: SqsRecordLike,
  timeLeftMs: () => number,
): Promise<SqsRecordClaim> {
  try {
    const unit = await claimUnit(options, scope, () => unitOfSqsRecord(record, options.getKey), timeLeftMs);
    if (unit.kind === "claimed") return { kind: "claimed", claim: unit.claim };
    return { kind: "settled", report: unit.kind !== "replay" };
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    return { kind: "settled", report: true };
  }
}
