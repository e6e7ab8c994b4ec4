import { anySignatureMatches } from "./constantTimeEqual.ts";
import { activeSecrets, hmacSha256 } from "./hmacSha256.ts";
import { readHeader } from "./readHeader.ts";
import type { SignedRequest, VerifyResult } from "./types.ts";
import { acceptEventId, reject } from "./verifyResults.ts";

/** GitHub webhook settings: every active webhook secret. */
export interface GitHubConfig {
  secrets: readonly string[];
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/** Verifies a GitHub webhook (`x-hub-signature-256`); the event id is `x-github-delivery`. */
export function verifyGitHub(request: SignedRequest, config: GitHubConfig, _nowMs: number): VerifyResult {
  const header = readHeader(request.headers, "x-hub-signature-256");
  if (header === undefined) return reject("invalid_signature", "missing x-hub-signature-256 header");
  const received = SIGNATURE.exec(header.trim())?.[1];
  if (received === undefined) return reject("invalid_signature", "malformed x-hub-signature-256 header");
  const expected = activeSecrets(config.secrets).map((secret) => hmacSha256(secret, request.rawBody).toString("hex"));
  if (!anySignatureMatches([received.toLowerCase()], expected)) {
    return reject("invalid_signature", "signature does not match an active secret");
  }
  return acceptEventId(readHeader(request.headers, "x-github-delivery"), "header x-github-delivery", {
    eventType: readHeader(request.headers, "x-github-event"),
  });
}
