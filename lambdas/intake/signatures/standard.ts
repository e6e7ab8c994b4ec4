import { anySignatureMatches } from "./constantTimeEqual.ts";
import { hmacSha256 } from "./hmacSha256.ts";
import { readHeader } from "./readHeader.ts";
import { isWithinTolerance, parseUnixSeconds } from "./timestamps.ts";
import type { SignedRequest, VerifyResult } from "./types.ts";
import { acceptEventId, reject } from "./verifyResults.ts";

/** Standard Webhooks settings: every active `whsec_<base64>` secret. */
export interface StandardConfig {
  secrets: readonly string[];
  /** Maximum distance of `webhook-timestamp` from now, in seconds (default 300). */
  toleranceSeconds?: number;
}

/** What a Standard Webhooks signature covers. */
export interface StandardWebhookMessage {
  id: string;
  timestampSec: number;
  body: Buffer | string;
  /** `whsec_<base64>` (or the bare base64). */
  secret: string;
}

const SECRET_PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** The HMAC key of a `whsec_<base64>` secret, or undefined when it is not usable base64. */
function secretKey(secret: unknown): Buffer | undefined {
  if (typeof secret !== "string") return undefined;
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, "base64");
  return key.length > 0 ? key : undefined;
}

function signatureOf(key: Buffer, id: string, timestamp: string, body: Buffer | string): string {
  return hmacSha256(key, `${id}.${timestamp}.`, body).toString("base64");
}

/**
 * The HMAC-SHA256 key of a `whsec_<base64>` secret, for a signer that feeds the body in parts (the delivery's
 * `signStreamed`); {@link signStandardWebhook} signs a body held in memory with the same key.
 * @throws Error when the secret is not `whsec_` followed by non-empty base64
 */
export function standardSigningKey(secret: string): Buffer {
  const key = secretKey(secret);
  if (key === undefined) throw new Error("Standard Webhooks secret must be whsec_ followed by non-empty base64");
  return key;
}

/** Signs a message the Standard Webhooks way; returns the `v1,<base64>` entry for `webhook-signature`. */
export function signStandardWebhook({ id, timestampSec, body, secret }: StandardWebhookMessage): string {
  const key = secretKey(secret);
  if (key === undefined) throw new Error("Standard Webhooks secret must be whsec_ followed by non-empty base64");
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) {
    throw new Error("Standard Webhooks timestamp must be whole non-negative unix seconds");
  }
  return `v1,${signatureOf(key, id, String(timestampSec), body)}`;
}

/** The base64 signatures of the `v1` entries; other versions (e.g. `v1a`) are for other algorithms. */
function v1Signatures(header: string): string[] {
  const signatures: string[] = [];
  for (const entry of header.split(/\s+/)) {
    const separator = entry.indexOf(",");
    if (separator > 0 && entry.slice(0, separator) === "v1") signatures.push(entry.slice(separator + 1));
  }
  return signatures;
}

/** Verifies a Standard Webhooks request (`webhook-id`, `webhook-timestamp`, `webhook-signature`). */
export function verifyStandard(request: SignedRequest, config: StandardConfig, nowMs: number): VerifyResult {
  const header = readHeader(request.headers, "webhook-signature");
  if (header === undefined) return reject("invalid_signature", "missing webhook-signature header");
  const received = v1Signatures(header);
  if (received.length === 0) return reject("invalid_signature", "webhook-signature has no v1 entry");
  const timestamp = readHeader(request.headers, "webhook-timestamp")?.trim();
  if (timestamp === undefined) return reject("invalid_signature", "missing webhook-timestamp header");
  const timestampSec = parseUnixSeconds(timestamp);
  if (timestampSec === undefined) return reject("invalid_signature", "malformed webhook-timestamp header");
  if (!isWithinTolerance(timestampSec * 1000, nowMs, config.toleranceSeconds)) {
    return reject("stale_timestamp", "webhook-timestamp is outside the tolerance");
  }
  // The id is part of the signed content; an absent one is checked as "" so the signature is decided first.
  const id = readHeader(request.headers, "webhook-id") ?? "";
  const keys = (Array.isArray(config.secrets) ? config.secrets : []).map(secretKey);
  const expected = keys.flatMap((key) => (key === undefined ? [] : [signatureOf(key, id, timestamp, request.rawBody)]));
  if (!anySignatureMatches(received, expected)) {
    return reject("invalid_signature", "no v1 signature matches an active secret");
  }
  return acceptEventId(id, "header webhook-id");
}
