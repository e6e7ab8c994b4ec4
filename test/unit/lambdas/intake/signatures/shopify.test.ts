import { createHmac } from "node:crypto";
import { describe, expect, test } from "@jest/globals";
import { verifyShopify } from "../../../../../lambdas/intake/signatures/shopify.ts";
import { NOW_MS, signedRequest, UNUSUAL_EVENT_IDS } from "./signedRequests.ts";

const SECRET = "shpss_current_client_secret";
const PREVIOUS_SECRET = "shpss_previous_client_secret";
const BODY = JSON.stringify({ id: 820982911946154500, email: "jon@example.com", total_price: "10.00" });
const WEBHOOK_ID = "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043";
const EVENT_ID = "98880550-7158-44d4-b7cd-2c97c8a091b5";

/** Shopify's rule: base64 HMAC-SHA256 of the raw body with the app's client secret. */
function shopifySignature(body: string, secret = SECRET): string {
  return createHmac("sha256", secret).update(body).digest("base64");
}

function headers(signature: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = {
    "x-shopify-webhook-id": WEBHOOK_ID,
    "x-shopify-event-id": EVENT_ID,
    "x-shopify-topic": "orders/create",
    ...extra,
  };
  if (signature !== undefined) base["x-shopify-hmac-sha256"] = signature;
  return base;
}

function verify(body: string, requestHeaders: Record<string, string>, secrets = [SECRET]) {
  return verifyShopify(signedRequest(body, requestHeaders), { secrets }, NOW_MS);
}

describe("verifyShopify", () => {
  test("accepts a valid signature, keyed on x-shopify-webhook-id, recording the event id and topic", () => {
    expect(verify(BODY, headers(shopifySignature(BODY)))).toEqual({
      ok: true,
      eventId: WEBHOOK_ID,
      attributes: { shopifyEventId: EVENT_ID, eventType: "orders/create" },
    });
  });

  test("gives two subscriptions' deliveries of one event different ids, though they share x-shopify-event-id", () => {
    const signature = shopifySignature(BODY);
    const first = verify(BODY, headers(signature, { "x-shopify-webhook-id": "delivery-a" }));
    const second = verify(BODY, headers(signature, { "x-shopify-webhook-id": "delivery-b" }));
    expect(first).toMatchObject({ ok: true, eventId: "delivery-a" });
    expect(second).toMatchObject({ ok: true, eventId: "delivery-b" });
  });

  test("rejects a tampered body", () => {
    const tampered = BODY.replace("10.00", "0.01");
    expect(verify(tampered, headers(shopifySignature(BODY)))).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("rejects a signature made with another secret", () => {
    expect(verify(BODY, headers(shopifySignature(BODY, "other")))).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("accepts signatures made with the previous and the new secret while both are active", () => {
    const secrets = [SECRET, PREVIOUS_SECRET];
    expect(verify(BODY, headers(shopifySignature(BODY, PREVIOUS_SECRET)), secrets)).toMatchObject({ ok: true });
    expect(verify(BODY, headers(shopifySignature(BODY, SECRET)), secrets)).toMatchObject({ ok: true });
  });

  test("does not depend on the time: Shopify signs no timestamp", () => {
    const request = signedRequest(BODY, headers(shopifySignature(BODY)));
    expect(verifyShopify(request, { secrets: [SECRET] }, 0)).toMatchObject({ ok: true });
  });

  test("rejects a request without an x-shopify-hmac-sha256 header", () => {
    expect(verify(BODY, headers(undefined))).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test.each([
    ["empty", ""],
    ["hex instead of base64", createHmac("sha256", SECRET).update(BODY).digest("hex")],
    ["truncated base64", shopifySignature(BODY).slice(0, 40)],
    ["not base64", "!".repeat(44)],
  ])("rejects a malformed header: %s", (_case, signature) => {
    expect(verify(BODY, headers(signature))).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("refuses a validly signed request without x-shopify-webhook-id as missing_event_id", () => {
    const requestHeaders = headers(shopifySignature(BODY));
    delete requestHeaders["x-shopify-webhook-id"];
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "missing_event_id" });
  });

  test("does not fall back to x-shopify-event-id when x-shopify-webhook-id is missing", () => {
    const requestHeaders = headers(shopifySignature(BODY), { "x-shopify-webhook-id": "" });
    expect(verify(BODY, requestHeaders)).toMatchObject({ ok: false, error: "missing_event_id" });
  });

  test("reports an unsigned request without x-shopify-webhook-id as invalid_signature", () => {
    expect(verify(BODY, { "x-shopify-hmac-sha256": shopifySignature(BODY, "forged") })).toMatchObject({
      error: "invalid_signature",
    });
  });

  test.each(UNUSUAL_EVENT_IDS)("passes an event id with %s through unchanged", (_case, id) => {
    const result = verify(BODY, headers(shopifySignature(BODY), { "x-shopify-webhook-id": id }));
    expect(result).toMatchObject({ ok: true, eventId: id });
  });
});
