import type { SignedRequest } from "../../../../../lambdas/intake/signatures/types.ts";

/** The fixed "now" every scheme is verified at, unless a test says otherwise. */
export const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
export const NOW_SEC = NOW_MS / 1000;

/** Event ids that must pass through every scheme unchanged. */
export const UNUSUAL_EVENT_IDS: readonly [string, string][] = [
  ["a # in it", "evt#42"],
  ["slashes", "deliveries/2026/01/evt_1"],
  ["unicode", "événement-配信-🎉"],
  ["1 KB", "k".repeat(1024)],
];

/** A request as the intake Lambda hands it to a verifier. */
export function signedRequest(
  body: string | Buffer,
  headers: Record<string, string>,
  overrides: Partial<SignedRequest> = {},
) {
  return {
    rawBody: typeof body === "string" ? Buffer.from(body, "utf8") : body,
    headers,
    method: "POST",
    rawPath: "/webhooks/test",
    ...overrides,
  } satisfies SignedRequest;
}
