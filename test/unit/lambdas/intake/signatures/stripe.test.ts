import { createHmac } from "node:crypto";
import { describe, expect, test } from "@jest/globals";
import Stripe from "stripe";
import { verifyStripe } from "../../../../../lambdas/intake/signatures/stripe.ts";
import { NOW_SEC as NOW, NOW_MS, signedRequest, UNUSUAL_EVENT_IDS } from "./signedRequests.ts";

const stripe = new Stripe("sk_test_x");
const SECRET = "whsec_current_0123456789abcdef";
const PREVIOUS_SECRET = "whsec_previous_fedcba9876543210";
const BODY = JSON.stringify({ id: "evt_1Q2w3E", object: "event", type: "charge.succeeded", data: { amount: 1000 } });

function officialHeader(payload: string, secret = SECRET, timestamp = NOW): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

function v1Of(header: string): string {
  return header.split(",").find((item) => item.startsWith("v1=")) ?? "";
}

function verify(payload: string | Buffer, header: string | undefined, secrets = [SECRET], nowMs = NOW_MS) {
  const headers: Record<string, string> = header === undefined ? {} : { "stripe-signature": header };
  return verifyStripe(signedRequest(payload, headers), { secrets }, nowMs);
}

describe("verifyStripe", () => {
  test("accepts a header made by the official stripe library and takes the event id and type from the body", () => {
    expect(verify(BODY, officialHeader(BODY))).toEqual({
      ok: true,
      eventId: "evt_1Q2w3E",
      attributes: { eventType: "charge.succeeded" },
    });
  });

  test("rejects a tampered body", () => {
    const tampered = BODY.replace("1000", "9000");
    expect(verify(tampered, officialHeader(BODY))).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("rejects a signature made with another secret", () => {
    expect(verify(BODY, officialHeader(BODY, "whsec_someone_else"))).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("rejects a timestamp older than the tolerance as stale", () => {
    expect(verify(BODY, officialHeader(BODY, SECRET, NOW - 301))).toMatchObject({
      ok: false,
      error: "stale_timestamp",
    });
  });

  test("rejects a timestamp further in the future than the tolerance as stale", () => {
    expect(verify(BODY, officialHeader(BODY, SECRET, NOW + 301))).toMatchObject({
      ok: false,
      error: "stale_timestamp",
    });
  });

  test("accepts a timestamp exactly at the 5-minute tolerance", () => {
    expect(verify(BODY, officialHeader(BODY, SECRET, NOW - 300))).toMatchObject({ ok: true });
  });

  test("uses the configured toleranceSeconds", () => {
    const header = officialHeader(BODY, SECRET, NOW - 60);
    const request = signedRequest(BODY, { "stripe-signature": header });
    expect(verifyStripe(request, { secrets: [SECRET], toleranceSeconds: 30 }, NOW_MS)).toMatchObject({
      error: "stale_timestamp",
    });
    expect(verifyStripe(request, { secrets: [SECRET], toleranceSeconds: 120 }, NOW_MS)).toMatchObject({ ok: true });
  });

  test("decides staleness before the signature, as the check order requires", () => {
    expect(verify(BODY, officialHeader(BODY, "whsec_wrong", NOW - 3600))).toMatchObject({ error: "stale_timestamp" });
  });

  test("accepts a header with several v1 signatures when any one matches", () => {
    const header = `t=${NOW},v1=${"0".repeat(64)},${v1Of(officialHeader(BODY))}`;
    expect(verify(BODY, header)).toMatchObject({ ok: true });
  });

  test("accepts signatures made with the previous and the new secret while both are active", () => {
    const secrets = [SECRET, PREVIOUS_SECRET];
    expect(verify(BODY, officialHeader(BODY, PREVIOUS_SECRET), secrets)).toMatchObject({ ok: true });
    expect(verify(BODY, officialHeader(BODY, SECRET), secrets)).toMatchObject({ ok: true });
  });

  test("accepts the header Stripe sends during a secret roll (one v1 per secret)", () => {
    const header = `${officialHeader(BODY, PREVIOUS_SECRET)},${v1Of(officialHeader(BODY, SECRET))}`;
    expect(verify(BODY, header, [SECRET])).toMatchObject({ ok: true });
  });

  test("rejects a request without a stripe-signature header", () => {
    expect(verify(BODY, undefined)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test.each([
    ["empty", ""],
    ["not key=value pairs", "garbage"],
    ["no timestamp", v1Of(officialHeader(BODY))],
    ["no v1 signature", `t=${NOW}`],
    ["a non-numeric timestamp", `t=now,${v1Of(officialHeader(BODY))}`],
    ["two timestamps", `t=${NOW},t=${NOW + 1},${v1Of(officialHeader(BODY))}`],
    ["a v1 that is not hex", `t=${NOW},v1=${"z".repeat(64)}`],
  ])("rejects a malformed header: %s", (_case, header) => {
    expect(verify(BODY, header)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("ignores a v0 signature even when it is a valid HMAC", () => {
    const v0Only = officialHeader(BODY).replace("v1=", "v0=");
    expect(verify(BODY, v0Only)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("never lets an empty configured secret verify a signature made with an empty key", () => {
    const header = stripe.webhooks.generateTestHeaderString({ payload: BODY, secret: "", timestamp: NOW });
    expect(verify(BODY, header, [""])).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test.each([
    ["no id", JSON.stringify({ object: "event" })],
    ["an empty id", JSON.stringify({ id: "" })],
    ["a numeric id", JSON.stringify({ id: 42 })],
    ["a JSON array", "[]"],
  ])("refuses a validly signed body with %s as missing_event_id", (_case, body) => {
    expect(verify(body, officialHeader(body))).toMatchObject({ ok: false, error: "missing_event_id" });
  });

  test("reports an unsigned body without an id as invalid_signature, not missing_event_id", () => {
    const body = JSON.stringify({ object: "event" });
    expect(verify(body, `t=${NOW},v1=${"0".repeat(64)}`)).toMatchObject({ error: "invalid_signature" });
  });

  test("refuses a validly signed body that is not JSON as malformed_payload", () => {
    expect(verify("not json", officialHeader("not json"))).toMatchObject({ ok: false, error: "malformed_payload" });
  });

  test("verifies the signature over the raw bytes and refuses a body that is not UTF-8 as malformed_payload", () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const signature = createHmac("sha256", SECRET).update(`${NOW}.`).update(bytes).digest("hex");
    expect(verify(bytes, `t=${NOW},v1=${signature}`)).toMatchObject({ ok: false, error: "malformed_payload" });
  });

  test.each(UNUSUAL_EVENT_IDS)("passes an event id with %s through unchanged", (_case, id) => {
    const body = JSON.stringify({ id, object: "event" });
    expect(verify(body, officialHeader(body))).toEqual({ ok: true, eventId: id });
  });
});
