/**
 * The idempotency record and the pure rules that decide what a new invocation does when a record
 * for its key already exists.
 *
 * Lifecycle of one key:
 *   (none) --claim--> IN_PROGRESS --handler returns--> COMPLETED   (replayed forever after)
 *                         |------ handler throws, onError "fail" --> FAILED (never re-run)
 *                         |------ handler throws, onError "release" --> (none): the next delivery runs it
 *                         `------ crash / timeout: stays IN_PROGRESS (never re-run), unless a lease
 *                                 is configured and expires: then a later claim takes it over.
 *   IN_PROGRESS | COMPLETED | FAILED --operator's `oncegate keys release`--> RELEASED: claimed like no record
 *                                 at all (the next delivery runs the handler); its audit is kept beside it.
 */

export type RecordStatus = "IN_PROGRESS" | "COMPLETED" | "FAILED" | "RELEASED";

/** Attribute names as stored in DynamoDB. `expiresAt` is the table's TTL attribute (epoch seconds). */
export interface IdempotencyRecord {
  id: string;
  status: RecordStatus;
  ownerToken: string;
  fingerprint: string;
  startedAtMs: number;
  expiresAt: number;
  leaseExpiresAtMs?: number;
  completedAtMs?: number;
  /** `omitted`: larger than `maxStoredResponseBytes`; `unstorable`: not JSON-serializable (circular, BigInt). */
  responseKind?: "json" | "undefined" | "omitted" | "unstorable";
  response?: string;
  responseFingerprint?: string;
  failedAtMs?: number;
  errorName?: string;
  errorMessage?: string;
}

/** What the handler returned, as it can be replayed. */
export type StoredResponse =
  | { kind: "json"; value: unknown }
  | { kind: "undefined" }
  | { kind: "omitted"; fingerprint: string }
  | { kind: "unstorable" };

/** Why a claim was refused, decided from the record that already holds the key. */
export type ClaimRefusal =
  | { kind: "replay"; stored: StoredResponse }
  | { kind: "mismatch" }
  | { kind: "in_progress"; retryAfterSeconds: number }
  | { kind: "failed" };

/**
 * Decides what a duplicate gets. The payload check comes first: a key reused with another payload
 * is refused whatever state the first use is in, so it can never replay someone else's response.
 */
export function refusalFor(
  existing: IdempotencyRecord,
  fingerprint: string,
  nowMs: number,
  inProgressRetryAfterSeconds: number,
): ClaimRefusal {
  if (existing.fingerprint !== fingerprint) return { kind: "mismatch" };
  switch (existing.status) {
    case "COMPLETED":
      return { kind: "replay", stored: storedResponseOf(existing) };
    case "FAILED":
      return { kind: "failed" };
    case "IN_PROGRESS": {
      const leaseLeftMs = existing.leaseExpiresAtMs === undefined ? undefined : existing.leaseExpiresAtMs - nowMs;
      const retryAfterSeconds =
        leaseLeftMs === undefined ? inProgressRetryAfterSeconds : Math.max(1, Math.ceil(leaseLeftMs / 1000));
      return { kind: "in_progress", retryAfterSeconds };
    }
    default:
      // A status this version does not know (written by a newer one): never run, never overwrite. RELEASED never
      // gets here (the claim's condition takes it as no record); were it ever, "later" is safe: the next try claims.
      return { kind: "in_progress", retryAfterSeconds: inProgressRetryAfterSeconds };
  }
}

function storedResponseOf(record: IdempotencyRecord): StoredResponse {
  if (record.responseKind === "omitted") return { kind: "omitted", fingerprint: record.responseFingerprint ?? "" };
  if (record.responseKind === "unstorable") return { kind: "unstorable" };
  if (record.responseKind === "json" && record.response !== undefined) {
    return { kind: "json", value: JSON.parse(record.response) };
  }
  return { kind: "undefined" };
}
