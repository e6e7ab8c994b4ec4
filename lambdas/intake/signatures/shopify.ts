import { anySignatureMatches } from "./constantTimeEqual.ts";
import { activeSecrets, hmacSha256 } from "./hmacSha256.ts";
import { readHeader } from "./readHeader.ts";
import type { SignedRequest, VerifyResult } from "./types.ts";
import { acceptEventId, reject } from "./verifyResults.ts";

/** Shopify webhook settings: every active app client secret. */
export interface ShopifyConfig {
  secrets: readonly string[];
}

// Base64 of the 32 bytes of an HMAC-SHA256.
const SIGNATURE = /^[A-Za-z0-9+/]{43}=$/;

/** Verifies a Shopify webhook (`x-shopify-hmac-sha256`); the event id is `x-shopify-webhook-id`. */
export function verifyShopify(request: SignedRequest, config: ShopifyConfig, _nowMs: number): VerifyResult {
  const header = readHeader(request.headers, "x-shopify-hmac-sha256");
  if (header === undefined) return reject("invalid_signature", "missing x-shopify-hmac-sha256 header");
  const received = header.trim();
  if (!SIGNATURE.test(received)) return reject("invalid_signature", "malformed x-shopify-hmac-sha256 header");
  const expected = activeSecrets(config.secrets).map((secret) =>
    hmacSha256(secret, request.rawBody).toString("base64"),
  );
  if (!anySignatureMatches([received], expected)) {
    return reject("invalid_signature", "signature does not match an active secret");
  }
  // x-shopify-webhook-id is stable across retries of one delivery; x-shopify-event-id is shared by every
  // subscription to the same event, so deduplicating on it would drop other subscriptions' deliveries.
  return acceptEventId(readHeader(request.headers, "x-shopify-webhook-id"), "header x-shopify-webhook-id", {
    shopifyEventId: readHeader(request.headers, "x-shopify-event-id"),
    eventType: readHeader(request.headers, "x-shopify-topic"),
  });
}
