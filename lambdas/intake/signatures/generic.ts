import { anySignatureMatches } from "./constantTimeEqual.ts";
import { activeSecrets, hmacSha256 } from "./hmacSha256.ts";
import { parseJsonBody, readJsonPath } from "./jsonBody.ts";
import { readHeader } from "./readHeader.ts";
import type { SignedRequest, VerifyResult } from "./types.ts";
import { acceptEventId, reject } from "./verifyResults.ts";

/** Where a generic webhook carries its event id: a header (default `idempotency-key`) or a JSON dot path. */
export type GenericEventIdSource = { header?: string } | { jsonPath: string };

/** An HMAC-SHA256 hex signature of the body in `header`, or an explicit `"none"` for unsigned sources. */
export type GenericSignature = { header: string; secrets: readonly string[] } | "none";

/** Settings for a sender without a dedicated scheme. */
export interface GenericConfig {
  eventId: GenericEventIdSource;
  signature: GenericSignature;
}

const DEFAULT_EVENT_ID_HEADER = "idempotency-key";
const SIGNATURE = /^(?:sha256=)?([0-9a-f]{64})$/i;

function checkSignature(request: SignedRequest, signature: GenericSignature): VerifyResult | undefined {
  if (signature === "none") return undefined;
  // Verification is skipped only when "none" was chosen; a missing or mistyped setting fails closed.
  if (typeof signature !== "object" || signature === null || typeof signature.header !== "string") {
    return reject("invalid_signature", 'signature is not configured (set it, or "none" explicitly)');
  }
  const header = readHeader(request.headers, signature.header.toLowerCase());
  if (header === undefined) return reject("invalid_signature", `missing ${signature.header} header`);
  const received = SIGNATURE.exec(header.trim())?.[1];
  if (received === undefined) return reject("invalid_signature", `malformed ${signature.header} header`);
  const expected = activeSecrets(signature.secrets).map((secret) =>
    hmacSha256(secret, request.rawBody).toString("hex"),
  );
  if (!anySignatureMatches([received.toLowerCase()], expected)) {
    return reject("invalid_signature", "signature does not match an active secret");
  }
  return undefined;
}

/** Verifies a generic webhook: optional HMAC-SHA256 of the body, event id from a header or the JSON body. */
export function verifyGeneric(request: SignedRequest, config: GenericConfig, _nowMs: number): VerifyResult {
  const refused = checkSignature(request, config.signature);
  if (refused !== undefined) return refused;
  const source: GenericEventIdSource = config.eventId ?? {};
  if ("jsonPath" in source) {
    const { jsonPath } = source;
    const body = parseJsonBody(request.rawBody);
    if (!body.ok) return reject("malformed_payload", "body is not JSON");
    const value = readJsonPath(body.value, jsonPath);
    // A numeric id is accepted only while exact: beyond 2^53 distinct ids could parse to the same number.
    const eventId = Number.isSafeInteger(value) ? String(value) : value;
    return acceptEventId(eventId, `JSON field ${jsonPath}`);
  }
  const header = (source.header ?? DEFAULT_EVENT_ID_HEADER).toLowerCase();
  return acceptEventId(readHeader(request.headers, header), `header ${header}`);
}
