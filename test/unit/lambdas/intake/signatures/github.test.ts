import { describe, expect, test } from "@jest/globals";
import { sign } from "@octokit/webhooks-methods";
import { verifyGitHub } from "../../../../../lambdas/intake/signatures/github.ts";
import { NOW_MS, signedRequest, UNUSUAL_EVENT_IDS } from "./signedRequests.ts";

const SECRET = "It's a Secret to Everybody";
const PREVIOUS_SECRET = "the one before";
const BODY = JSON.stringify({ action: "opened", number: 1347, pull_request: { additions: 10 } });
const DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
const HOOK_ID = "123456789";

function headers(signature: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = {
    "x-github-delivery": DELIVERY,
    "x-github-hook-id": HOOK_ID,
    "x-github-event": "pull_request",
    ...extra,
  };
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
      eventId: `${HOOK_ID}:${DELIVERY}`,
      attributes: { eventType: "pull_request", hookId: HOOK_ID, delivery: DELIVERY },
    });
  });

  test("keys one delivery GUID sent to two hooks as two events (github/docs#32822)", async () => {
    const signature = await sign(SECRET, BODY);
    const repositoryHook = verify(BODY, headers(signature, { "x-github-hook-id": "1" }));
    const organizationHook = verify(BODY, headers(signature, { "x-github-hook-id": "2" }));
    expect(repositoryHook).toMatchObject({ ok: true, eventId: `1:${DELIVERY}` });
    expect(organizationHook).toMatchObject({ ok: true, eventId: `2:${DELIVERY}` });
  });

  test.each([
    ["missing", undefined],
    ["empty", ""],
    ["not digits", "12a"],
    ["with a colon", "1:2"],
  ])("refuses a validly signed request whose x-github-hook-id is %s as missing_hook_id", async (_case, hookId) => {
    const requestHeaders = headers(await sign(SECRET, BODY));
    if (hookId === undefined) delete requestHeaders["x-github-hook-id"];
    else requestHeaders["x-github-hook-id"] = hookId;
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "missing_hook_id" });
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
    const requestHeaders = headers(await sign(SECRET, BODY));
    delete requestHeaders["x-github-event"];
    const result = verify(BODY, requestHeaders);
    expect(result).toEqual({
      ok: true,
      eventId: `${HOOK_ID}:${DELIVERY}`,
      attributes: { hookId: HOOK_ID, delivery: DELIVERY },
    });
  });

  test.each(UNUSUAL_EVENT_IDS)("passes an event id with %s through unchanged", async (_case, id) => {
    const result = verify(BODY, headers(await sign(SECRET, BODY), { "x-github-delivery": id }));
    expect(result).toMatchObject({ ok: true, eventId: `${HOOK_ID}:${id}` });
  });
});
