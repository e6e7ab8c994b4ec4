import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { OperatorUsageError, type RefusedError } from "../errors.ts";
import { type AuditEntry, type KeyRef, type KeyView, keyView, type ReleaseRules, releaseRefusal } from "./keyRecord.ts";
import { readKeyRecord, writeRelease } from "./keyStore.ts";
import { showKey } from "./showKey.ts";

/** Longest `--reason` kept in an audit entry. */
export const MAX_REASON_LENGTH = 500;

/**
 * `keys release` in two steps, so the CLI can show the record and ask before anything is written: `planRelease`
 * reads it and decides, `applyRelease` writes exactly what was planned, conditional on what was read.
 */
export interface ReleasePlan {
  view: KeyView;
  /** Set when the rules refuse (nothing will be written); the CLI reports it. */
  refusal?: RefusedError;
  /** The record is RELEASED already: nothing to do. */
  alreadyReleased: boolean;
  forced: boolean;
  /** What the conditional write checks. */
  seen: { recordId: string; status: string; ownerToken: string | undefined };
}

/**
 * Reads the record and applies the release rules (`releaseRefusal`).
 * @throws OperatorUsageError for a malformed key or an empty reason; NotFoundError for no table or no record
 */
export async function planRelease(
  ddb: DynamoDBClient,
  input: KeyRef,
  reason: string,
  rules: ReleaseRules,
): Promise<ReleasePlan> {
  checkReason(reason);
  const { view, record, recordId } = await showKey(ddb, input, rules.nowMs);
  const refusal = releaseRefusal(view, record, rules);
  // `forced` records that --force mattered: the rules without it would have refused.
  const forced = rules.force && releaseRefusal(view, record, { ...rules, force: false }) !== undefined;
  return {
    view,
    ...(refusal !== undefined && { refusal }),
    alreadyReleased: record.status === "RELEASED",
    forced,
    seen: { recordId, status: record.status, ownerToken: record.ownerToken || undefined },
  };
}

/**
 * Writes the planned release and its audit entry; returns the record as it is afterwards.
 * @throws RefusedError `key_changed` when the record changed since `planRelease` read it (nothing written)
 */
export async function applyRelease(
  ddb: DynamoDBClient,
  plan: ReleasePlan,
  action: { reason: string; by: string; nowMs: number },
): Promise<KeyView> {
  if (plan.refusal !== undefined) throw plan.refusal;
  if (plan.alreadyReleased) return plan.view;
  const entry: AuditEntry = {
    action: "release",
    at: new Date(action.nowMs).toISOString(),
    by: action.by,
    reason: checkReason(action.reason),
    previousStatus: plan.seen.status,
    forced: plan.forced,
  };
  await writeRelease(ddb, plan.view.table, plan.seen, entry, action.nowMs);
  const { record, audit } = await readKeyRecord(ddb, plan.view.table, plan.seen.recordId);
  if (record === undefined) return { ...plan.view, status: "RELEASED", audit: [...plan.view.audit, entry] };
  const { table, scope, key } = plan.view;
  return keyView({ table, scope, key }, plan.seen.recordId, record, audit, action.nowMs);
}

function checkReason(reason: string): string {
  const trimmed = reason.trim();
  if (trimmed === "") {
    throw new OperatorUsageError("missing_reason", 'A release needs a reason for its audit entry: pass --reason "…".');
  }
  if (trimmed.length > MAX_REASON_LENGTH) {
    throw new OperatorUsageError(
      "reason_too_long",
      `The reason is longer than ${MAX_REASON_LENGTH} characters: shorten --reason.`,
    );
  }
  return trimmed;
}
