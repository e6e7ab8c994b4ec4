import { anySignatureMatches } from "./constantTimeEqual.ts";
import { activeSecrets, hmacSha256 } from "./hmacSha256.ts";
import { parseJsonBody, readJsonPath } from "./jsonBody.ts";
import { readHeader } from "./readHeader.ts";
import { isWithinTolerance, parseUnixSeconds } from "./timestamps.ts";
import type { SignedRequest, VerifyResult } from "./types.ts";
import { acceptEventId, reject } from "./verifyResults.ts";

/** Stripe endpoint settings: every active `whsec_...` signing secret (two while a secret is being rolled). */
export interface StripeConfig {
  secrets: readonly string[];
  /** Maximum distance of `t` from now, in seconds (default 300). */
  toleranceSeconds?: number;
}

interface StripeSignatureHeader {
  /** `t` exactly as received: it is what Stripe signed. */
  timestamp: string;
  timestampSec: number;
  v1: string[];
}

const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/** Parses `t=<seconds>,v1=<hex>,v1=<hex>,v0=<hex>`; other schemes are ignored, as Stripe's own library does. */
function parseStripeSignature(value: string): StripeSignatureHeader | undefined {
  let timestamp: string | undefined;
  const v1: string[] = [];
  for (const item of value.split(",")) {
    const separator = item.indexOf("=");
    if (separator < 0) continue;
    const key = item.slice(0, separator).trim();
    const entry = item.slice(separator + 1).trim();
    if (key === "t") {
      // Two timestamps make it ambiguous which one was signed.
      if (timestamp !== undefined) return undefined;
      timestamp = entry;
    } else if (key === "v1" && HEX_SHA256.test(entry)) {
      v1.push(entry.toLowerCase());
    }
  }
  const timestampSec = timestamp === undefined ? undefined : parseUnixSeconds(timestamp);
  if (timestamp === undefined || timestampSec === undefined || v1.length === 0) return undefined;
  return { timestamp, timestampSec, v1 };
}

/** Verifies a Stripe webhook (`stripe-signature`) and takes the event id from the JSON body's `id`. */
export function verifyStripe(request: SignedRequest, config: StripeConfig, nowMs: number): VerifyResult {
  const header = readHeader(request.headers, "stripe-signature");
  if (header === undefined) return reject("invalid_signature", "missing stripe-signature header");
  const signature = parseStripeSignature(header);
  if (signature === undefined) return reject("invalid_signature", "malformed stripe-signature header");
  if (!isWithinTolerance(signature.timestampSec * 1000, nowMs, config.toleranceSeconds)) {
    return reject("stale_timestamp", "stripe-signature timestamp is outside the tolerance");
  }
  // Stripe uses the whole `whsec_...` string as the HMAC key, prefix included.
  const expected = activeSecrets(config.secrets).map((secret) =>
    hmacSha256(secret, `${signature.timestamp}.`, request.rawBody).toString("hex"),
  );
  if (!anySignatureMatches(signature.v1, expected)) {
    return reject("invalid_signature", "no v1 signature matches an active secret");
  }
  const body = parseJsonBody(request.rawBody);
  if (!body.ok) return reject("malformed_payload", "body is not JSON");
  // The type is recorded with the event (operators list by it; destinations filter on it): the body is parsed here.
  const type = readJsonPath(body.value, "type");
  return acceptEventId(readJsonPath(body.value, "id"), "JSON field id", {
    eventType: typeof type === "string" ? type : undefined,
  });
}
