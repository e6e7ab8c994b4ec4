import { describe, expect, test } from "@jest/globals";
import { sign } from "@octokit/webhooks-methods";
import { verifyGitHub } from "../../../../../lambdas/intake/signatures/github.ts";
import { NOW_MS, signedRequest, UNUSUAL_EVENT_IDS } from "./signedRequests.ts";

const SECRET = "It's a Secret to Everybody";
const PREVIOUS_SECRET = "the one before";
const BODY = JSON.stringify({ action: "opened", number: 1347, pull_request: { additions: 10 } });
const DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

function headers(signature: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = { "x-github-delivery": DELIVERY, "x-github-event": "pull_request", ...extra };
  if (signature !== undefined) base["x-hub-signature-256"] = signature;
  return base;
}

function verify(body: string, requestHeaders: Record<string, string>, secrets = [SECRET]) {
  return verifyGitHub(signedRequest(body, requestHeaders), { secrets }, NOW_MS);
}

describe("verifyGitHub", () => {
  test("accepts a signature made by @octokit/webhooks-methods and records the event type", async () => {
    expect(verify(BODY, headers(await sign(SECRET, BODY)))).toEqual({
      ok: true,
      eventId: DELIVERY,
      attributes: { eventType: "pull_request" },
    });
  });

  test("rejects a tampered body", async () => {
    const signature = await sign(SECRET, BODY);
    expect(verify(BODY.replace("10", "99"), headers(signature))).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("rejects a signature made with another secret", async () => {
    expect(verify(BODY, headers(await sign("not the secret", BODY)))).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("accepts signatures made with the previous and the new secret while both are active", async () => {
    const secrets = [SECRET, PREVIOUS_SECRET];
    expect(verify(BODY, headers(await sign(PREVIOUS_SECRET, BODY)), secrets)).toMatchObject({ ok: true });
    expect(verify(BODY, headers(await sign(SECRET, BODY)), secrets)).toMatchObject({ ok: true });
  });

  test("accepts an upper-case hex digest", async () => {
    const signature = (await sign(SECRET, BODY)).replace(/[0-9a-f]{64}$/, (hex) => hex.toUpperCase());
    expect(verify(BODY, headers(signature))).toMatchObject({ ok: true });
  });

  test("does not depend on the time: GitHub signs no timestamp", async () => {
    const request = signedRequest(BODY, headers(await sign(SECRET, BODY)));
    expect(verifyGitHub(request, { secrets: [SECRET] }, 0)).toMatchObject({ ok: true });
  });

  test("rejects a request without an x-hub-signature-256 header", () => {
    expect(verify(BODY, headers(undefined))).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test.each([
    ["empty", ""],
    ["without the sha256= prefix", "0".repeat(64)],
    ["the SHA-1 scheme", `sha1=${"0".repeat(40)}`],
    ["a short digest", `sha256=${"0".repeat(63)}`],
    ["a digest that is not hex", `sha256=${"g".repeat(64)}`],
  ])("rejects a malformed header: %s", (_case, signature) => {
    expect(verify(BODY, headers(signature))).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("refuses a validly signed request without x-github-delivery as missing_event_id", async () => {
    const requestHeaders = headers(await sign(SECRET, BODY));
    delete requestHeaders["x-github-delivery"];
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "missing_event_id" });
  });

  test("refuses an empty x-github-delivery as missing_event_id", async () => {
    const requestHeaders = headers(await sign(SECRET, BODY), { "x-github-delivery": "" });
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "missing_event_id" });
  });

  test("reports an unsigned request without x-github-delivery as invalid_signature", () => {
    expect(verify(BODY, { "x-hub-signature-256": `sha256=${"0".repeat(64)}` })).toMatchObject({
      error: "invalid_signature",
    });
  });

  test("omits the event type when x-github-event is absent", async () => {
    const result = verify(BODY, { "x-hub-signature-256": await sign(SECRET, BODY), "x-github-delivery": DELIVERY });
    expect(result).toEqual({ ok: true, eventId: DELIVERY });
  });

  test.each(UNUSUAL_EVENT_IDS)("passes an event id with %s through unchanged", async (_case, id) => {
    const result = verify(BODY, headers(await sign(SECRET, BODY), { "x-github-delivery": id }));
    expect(result).toMatchObject({ ok: true, eventId: id });
  });
});
