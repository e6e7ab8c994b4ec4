import { createHash } from "node:crypto";
import type { IdempotencyRecord } from "./idempotencyRecord.ts";

type ResponseAttributes = Pick<IdempotencyRecord, "responseKind" | "response" | "responseFingerprint">;

/**
 * The attributes that store a handler's result on its COMPLETED record. A result whose JSON is
 * larger than `maxBytes` is stored as a SHA-256 fingerprint only (DynamoDB items hold 400 KB, and
 * a large response would make every replay read expensive).
 */
export function responseAttributes(value: unknown, maxBytes: number): ResponseAttributes {
  if (value === undefined) return { responseKind: "undefined" };
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    // A circular object or a BigInt: the handler ran and its effects happened, so its completion (and its `db`
    // writes) must still commit. Only the answer cannot be kept; duplicates get `{ ok: true, deduped: true }`.
    return { responseKind: "unstorable" };
  }
  if (json === undefined) return { responseKind: "undefined" };
  if (Buffer.byteLength(json, "utf8") > maxBytes) {
    return { responseKind: "omitted", responseFingerprint: createHash("sha256").update(json).digest("base64url") };
  }
  return { responseKind: "json", response: json };
}
