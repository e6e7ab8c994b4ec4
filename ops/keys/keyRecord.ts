import { createHash } from "node:crypto";
import type { IdempotencyRecord } from "../../sdk/idempotencyRecord.ts";
import { RefusedError } from "../errors.ts";

/**
 * A consumer's idempotency record as an operator sees it (`keys show`), and the rules of `keys release`. Pure: no
 * AWS here. The owner token is never shown: `owner` is a short hash of it, enough to tell two claims apart.
 */

/** One operator action on a record, kept beside it (see `keyStore.ts`): who, when, why, and what it was. */
export interface AuditEntry {
  action: "release";
  /** ISO 8601. */
  at: string;
  /** The caller's ARN on AWS, `local-operator` on the local stack. */
  by: string;
  reason: string;
  previousStatus: string;
  /** `--force` overrode a refusal (COMPLETED, or IN_PROGRESS too young). */
  forced: boolean;
}

/** Which record: the SDK's table, scope and key (its id is `recordId(scope, key)`). */
export interface KeyRef {
  table: string;
  scope: string;
  key: string;
}

/** What `keys show --json` prints. Times are ISO 8601; absent fields are left out. */
export interface KeyView {
  table: string;
  scope: string;
  key: string;
  recordId: string;
  /** `IN_PROGRESS`, `COMPLETED`, `FAILED` or `RELEASED` (or a status a newer SDK wrote). */
  status: string;
  startedAt?: string;
  completedAt?: string;
  failedAt?: string;
  releasedAt?: string;
  /** When DynamoDB's TTL deletes the record. */
  expiresAt?: string;
  /** Seconds since the claim. */
  ageSeconds?: number;
  lease?: { expiresAt: string; expired: boolean };
  error?: { name: string; message: string };
  /** `claim-` and 8 hex digits of the owner token's SHA-256: which claim holds the record, never the token. */
  owner?: string;
  /** What is replayed to duplicates of a COMPLETED key: `json`, `undefined`, `omitted` or `unstorable`. */
  responseKind?: string;
  audit: AuditEntry[];
}

/** The stored record with what `keys release` leaves on it. */
export type StoredRecord = IdempotencyRecord & { releasedAtMs?: number };

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** `claim-` + 8 hex digits of SHA-256(token). */
export function ownerOf(ownerToken: string): string {
  return `claim-${createHash("sha256").update(ownerToken).digest("hex").slice(0, 8)}`;
}

/** The operator's view of a record and its audit trail. */
export function keyView(
  ref: KeyRef,
  recordId: string,
  record: StoredRecord,
  audit: AuditEntry[],
  nowMs: number,
): KeyView {
  const view: KeyView = { ...ref, recordId, status: record.status, audit };
  const times = {
    startedAt: iso(record.startedAtMs),
    completedAt: iso(record.completedAtMs),
    failedAt: iso(record.failedAtMs),
    releasedAt: iso(record.releasedAtMs),
    expiresAt: record.expiresAt === undefined ? undefined : iso(record.expiresAt * 1000),
  };
  for (const [name, value] of Object.entries(times)) if (value !== undefined) Object.assign(view, { [name]: value });
  if (record.startedAtMs !== undefined) view.ageSeconds = Math.max(0, Math.floor((nowMs - record.startedAtMs) / 1000));
  if (record.leaseExpiresAtMs !== undefined) {
    view.lease = {
      expiresAt: new Date(record.leaseExpiresAtMs).toISOString(),
      expired: record.leaseExpiresAtMs <= nowMs,
    };
  }
  if (record.errorName !== undefined || record.errorMessage !== undefined) {
    view.error = { name: record.errorName ?? "", message: record.errorMessage ?? "" };
  }
  if (record.ownerToken) view.owner = ownerOf(record.ownerToken);
  if (record.responseKind !== undefined) view.responseKind = record.responseKind;
  return view;
}

/** How `keys release` may go. */
export interface ReleaseRules {
  /** Override the refusals (COMPLETED; IN_PROGRESS within its lease or younger than `minAgeMs`). */
  force: boolean;
  /** Youngest IN_PROGRESS claim released without `force`: its handler may still be running. */
  minAgeMs: number;
  nowMs: number;
}

/** Default `--min-age`: a claim younger than this may still have its handler running (Lambda's limit is 15 min). */
export const DEFAULT_MIN_AGE_MS = 15 * 60 * 1000;

/**
 * Why the record must not be released without `--force`, or `undefined` when it may be. FAILED may always be: its
 * handler threw and ran to its end. RELEASED is not refused here (there is nothing to do).
 */
export function releaseRefusal(view: KeyView, record: StoredRecord, rules: ReleaseRules): RefusedError | undefined {
  if (rules.force) return undefined;
  const what = `Key ${view.key} in scope ${view.scope}`;
  if (record.status === "COMPLETED") {
    return new RefusedError(
      "key_completed",
      `${what} is COMPLETED (its handler ran to the end and duplicates get its answer): pass --force to let it run again anyway.`,
    );
  }
  if (record.status !== "IN_PROGRESS") return undefined;
  if (record.leaseExpiresAtMs !== undefined && record.leaseExpiresAtMs > rules.nowMs) {
    return new RefusedError(
      "key_leased",
      `${what} is IN_PROGRESS within its lease (until ${new Date(record.leaseExpiresAtMs).toISOString()}), so its handler may still be running: wait for the lease to end, or pass --force.`,
    );
  }
  const ageMs = rules.nowMs - (record.startedAtMs ?? 0);
  if (ageMs < rules.minAgeMs) {
    return new RefusedError(
      "key_too_young",
      `${what} was claimed ${Math.floor(ageMs / 1000)} s ago, under --min-age ${Math.round(rules.minAgeMs / 1000)} s, so its handler may still be running: wait, pass a smaller --min-age, or --force.`,
    );
  }
  return undefined;
}
