import { createHash } from "node:crypto";

/**
 * SHA-256 fingerprint of a payload, stored with the claim so a key reused with a different payload
 * is refused (Stripe's rule) instead of replaying an unrelated response. Text and bytes are hashed
 * as they are; structured values through a canonical JSON form (sorted keys), so a parser earlier
 * in the chain does not change the fingerprint of the same document.
 */
export function fingerprintOf(payload: unknown): string {
  const hash = createHash("sha256");
  if (Buffer.isBuffer(payload)) hash.update(payload);
  else if (typeof payload === "string") hash.update(payload, "utf8");
  else hash.update(canonicalJson(payload), "utf8");
  return hash.digest("base64url");
}

/** JSON with object keys sorted at every level; `undefined` becomes `null` at the top. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== "object" || value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}
