import { randomBytes } from "node:crypto";
import { describe, expect, test } from "@jest/globals";
import { Webhook } from "standardwebhooks";
import { signStandardWebhook, verifyStandard } from "../../../../../lambdas/intake/signatures/standard.ts";
import { NOW_SEC as NOW, NOW_MS, signedRequest, UNUSUAL_EVENT_IDS } from "./signedRequests.ts";

const SECRET = `whsec_${randomBytes(24).toString("base64")}`;
const PREVIOUS_SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const BODY = JSON.stringify({ type: "invoice.paid", data: { invoice: "in_1", amount: 1000 } });
const ID = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";

function officialSignature(id: string, body: string, secret = SECRET, timestampSec = NOW): string {
  return new Webhook(secret).sign(id, new Date(timestampSec * 1000), body);
}

/** Headers of a request; a `null` id leaves `webhook-id` out. */
function headers(signature: string | undefined, id: string | null = ID, timestamp = String(NOW)) {
  const base: Record<string, string> = { "webhook-timestamp": timestamp };
  if (id !== null) base["webhook-id"] = id;
  if (signature !== undefined) base["webhook-signature"] = signature;
  return base;
}

function verify(body: string, requestHeaders: Record<string, string>, secrets = [SECRET], nowMs = NOW_MS) {
  return verifyStandard(signedRequest(body, requestHeaders), { secrets }, nowMs);
}

describe("verifyStandard", () => {
  test("accepts a signature made by the official standardwebhooks library", () => {
    expect(verify(BODY, headers(officialSignature(ID, BODY)))).toEqual({ ok: true, eventId: ID });
  });

  test("signs exactly what the official library signs", () => {
    const ours = signStandardWebhook({ id: ID, timestampSec: NOW, body: BODY, secret: SECRET });
    expect(ours).toBe(officialSignature(ID, BODY));
  });

  test("produces signatures the official library's verify accepts", () => {
    const nowSec = Math.floor(Date.now() / 1000); // the official verify reads the real clock
    const signature = signStandardWebhook({ id: ID, timestampSec: nowSec, body: Buffer.from(BODY), secret: SECRET });
    const official = new Webhook(SECRET).verify(BODY, headers(signature, ID, String(nowSec)));
    expect(official).toEqual(JSON.parse(BODY));
  });

  test("treats a secret without the whsec_ prefix as the same base64 key", () => {
    const bare = SECRET.slice("whsec_".length);
    expect(verify(BODY, headers(officialSignature(ID, BODY)), [bare])).toMatchObject({ ok: true });
  });

  test("rejects a tampered body", () => {
    const tampered = BODY.replace("1000", "1");
    expect(verify(tampered, headers(officialSignature(ID, BODY)))).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("rejects a signature replayed under another webhook-id", () => {
    expect(verify(BODY, headers(officialSignature(ID, BODY), "msg_other"))).toMatchObject({
      error: "invalid_signature",
    });
  });

  test("rejects a signature made with another secret", () => {
    const other = `whsec_${randomBytes(24).toString("base64")}`;
    expect(verify(BODY, headers(officialSignature(ID, BODY, other)))).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("rejects a timestamp older than the tolerance as stale", () => {
    const old = NOW - 301;
    const requestHeaders = headers(officialSignature(ID, BODY, SECRET, old), ID, String(old));
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "stale_timestamp" });
  });

  test("rejects a timestamp further in the future than the tolerance as stale", () => {
    const future = NOW + 301;
    const requestHeaders = headers(officialSignature(ID, BODY, SECRET, future), ID, String(future));
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "stale_timestamp" });
  });

  test("uses the configured toleranceSeconds", () => {
    const recent = NOW - 60;
    const request = signedRequest(BODY, headers(officialSignature(ID, BODY, SECRET, recent), ID, String(recent)));
    expect(verifyStandard(request, { secrets: [SECRET], toleranceSeconds: 30 }, NOW_MS)).toMatchObject({
      error: "stale_timestamp",
    });
    expect(verifyStandard(request, { secrets: [SECRET] }, NOW_MS)).toMatchObject({ ok: true });
  });

  test("rejects a signature whose timestamp was changed after signing", () => {
    const requestHeaders = headers(officialSignature(ID, BODY), ID, String(NOW + 1));
    expect(verify(BODY, requestHeaders)).toMatchObject({ error: "invalid_signature" });
  });

  test("accepts a header with several signatures when any v1 one matches", () => {
    const signature = `v1,${randomBytes(32).toString("base64")} ${officialSignature(ID, BODY)}`;
    expect(verify(BODY, headers(signature))).toMatchObject({ ok: true });
  });

  test("accepts signatures made with the previous and the new secret while both are active", () => {
    const secrets = [SECRET, PREVIOUS_SECRET];
    expect(verify(BODY, headers(officialSignature(ID, BODY, PREVIOUS_SECRET)), secrets)).toMatchObject({ ok: true });
    expect(verify(BODY, headers(officialSignature(ID, BODY, SECRET)), secrets)).toMatchObject({ ok: true });
  });

  test("ignores entries of other versions, even when they carry the right bytes", () => {
    const v1a = officialSignature(ID, BODY).replace("v1,", "v1a,");
    expect(verify(BODY, headers(v1a))).toMatchObject({ ok: false, error: "invalid_signature" });
    expect(verify(BODY, headers(`${v1a} ${officialSignature(ID, BODY)}`))).toMatchObject({ ok: true });
  });

  test("rejects a request without a webhook-signature header", () => {
    expect(verify(BODY, headers(undefined))).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("rejects a request without a webhook-timestamp header", () => {
    const requestHeaders = headers(officialSignature(ID, BODY));
    delete requestHeaders["webhook-timestamp"];
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test.each([
    ["empty signature", { "webhook-signature": "" }],
    ["a signature without a version", { "webhook-signature": randomBytes(32).toString("base64") }],
    ["a timestamp that is not a number", { "webhook-timestamp": "yesterday" }],
    ["a negative timestamp", { "webhook-timestamp": "-1" }],
    ["a fractional timestamp", { "webhook-timestamp": `${NOW}.5` }],
  ])("rejects malformed headers: %s", (_case, override) => {
    const requestHeaders = { ...headers(officialSignature(ID, BODY)), ...override };
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("rejects a timestamp sent in milliseconds as stale", () => {
    const requestHeaders = headers(officialSignature(ID, BODY), ID, String(NOW_MS));
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "stale_timestamp" });
  });

  test("refuses a validly signed request without webhook-id as missing_event_id", () => {
    expect(verify(BODY, headers(officialSignature("", BODY), null))).toMatchObject({
      ok: false,
      error: "missing_event_id",
    });
  });

  test("reports an unsigned request without webhook-id as invalid_signature", () => {
    expect(verify(BODY, headers(`v1,${randomBytes(32).toString("base64")}`, null))).toMatchObject({
      error: "invalid_signature",
    });
  });

  test("refuses to sign with a secret that is not base64", () => {
    expect(() => signStandardWebhook({ id: ID, timestampSec: NOW, body: BODY, secret: "whsec_" })).toThrow(/secret/);
    expect(() => signStandardWebhook({ id: ID, timestampSec: NOW, body: BODY, secret: "whsec_!!" })).toThrow(/secret/);
  });

  test.each(UNUSUAL_EVENT_IDS)("passes an event id with %s through unchanged", (_case, id) => {
    expect(verify(BODY, headers(officialSignature(id, BODY), id))).toEqual({ ok: true, eventId: id });
  });

  test.each(UNUSUAL_EVENT_IDS)("signs an event id with %s the way the official library does", (_case, id) => {
    expect(signStandardWebhook({ id, timestampSec: NOW, body: BODY, secret: SECRET })).toBe(
      officialSignature(id, BODY),
    );
  });
});
