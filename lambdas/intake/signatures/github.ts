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
// GitHub's hook ids are positive integers (the REST API's `hook.id`).
const HOOK_ID = /^[1-9][0-9]{0,19}$/;

/**
 * Verifies a GitHub webhook (`x-hub-signature-256`). The event id is `<x-github-hook-id>:<x-github-delivery>`:
 * GitHub sends one delivery GUID to every hook subscribed to an event (two Apps, a repository and an organization
 * hook: github/docs#32822), so the GUID alone would answer the second hook's different payload `200 duplicate`.
 * A redelivery repeats both headers, so the id is as stable as the GUID was. GitHub's documentation lists
 * `X-GitHub-Hook-ID` among the headers every delivery contains ("Webhook events and payloads", Delivery
 * headers), so a request without it is refused (`missing_hook_id`) rather than keyed on the GUID alone, which
 * could silently swallow another hook's event.
 */
export function verifyGitHub(request: SignedRequest, config: GitHubConfig, _nowMs: number): VerifyResult {
  const header = readHeader(request.headers, "x-hub-signature-256");
  if (header === undefined) return reject("invalid_signature", "missing x-hub-signature-256 header");
  const received = SIGNATURE.exec(header.trim())?.[1];
  if (received === undefined) return reject("invalid_signature", "malformed x-hub-signature-256 header");
  const expected = activeSecrets(config.secrets).map((secret) => hmacSha256(secret, request.rawBody).toString("hex"));
  if (!anySignatureMatches([received.toLowerCase()], expected)) {
    return reject("invalid_signature", "signature does not match an active secret");
  }
  const hookId = readHeader(request.headers, "x-github-hook-id")?.trim();
  if (hookId === undefined || hookId === "")
    return reject("missing_hook_id", "header x-github-hook-id is missing or empty");
  if (!HOOK_ID.test(hookId))
    return reject("missing_hook_id", "header x-github-hook-id is not a GitHub hook id (digits)");
  const delivery = readHeader(request.headers, "x-github-delivery");
  if (delivery === undefined || delivery === "")
    return reject("missing_event_id", "header x-github-delivery is missing or empty");
  return acceptEventId(`${hookId}:${delivery}`, "headers x-github-hook-id and x-github-delivery", {
    eventType: readHeader(request.headers, "x-github-event"),
    hookId,
    delivery,
  });
}
