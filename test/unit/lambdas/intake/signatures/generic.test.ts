import { createHmac } from "node:crypto";
import { describe, expect, test } from "@jest/globals";
import { type GenericConfig, verifyGeneric } from "../../../../../lambdas/intake/signatures/generic.ts";
import { NOW_MS, signedRequest, UNUSUAL_EVENT_IDS } from "./signedRequests.ts";

const SECRET = "generic-current";
const PREVIOUS_SECRET = "generic-previous";
const BODY = JSON.stringify({ data: { meta: { id: "ord_77" }, total: 1000 } });
const KEY = "5b1e0f2a-7d55-4b11-9a5d-2a7c6f3e9b01";
const SIGNED: GenericConfig = { eventId: {}, signature: { header: "x-signature", secrets: [SECRET] } };

function hexSignature(body: string, secret = SECRET): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

function verify(body: string, headers: Record<string, string>, config: GenericConfig = SIGNED) {
  return verifyGeneric(signedRequest(body, headers), config, NOW_MS);
}

describe("verifyGeneric", () => {
  test("accepts a hex HMAC-SHA256 of the body and takes the id from idempotency-key by default", () => {
    expect(verify(BODY, { "x-signature": hexSignature(BODY), "idempotency-key": KEY })).toEqual({
      ok: true,
      eventId: KEY,
    });
  });

  test("accepts the signature with a sha256= prefix", () => {
    expect(verify(BODY, { "x-signature": `sha256=${hexSignature(BODY)}`, "idempotency-key": KEY })).toMatchObject({
      ok: true,
    });
  });

  test("matches configured header names case-insensitively", () => {
    const config: GenericConfig = {
      eventId: { header: "X-Delivery-Id" },
      signature: { header: "X-Signature", secrets: [SECRET] },
    };
    expect(verify(BODY, { "x-signature": hexSignature(BODY), "x-delivery-id": "d-1" }, config)).toMatchObject({
      ok: true,
      eventId: "d-1",
    });
  });

  test("takes the event id from a JSON dot path", () => {
    const config: GenericConfig = { ...SIGNED, eventId: { jsonPath: "data.meta.id" } };
    expect(verify(BODY, { "x-signature": hexSignature(BODY) }, config)).toEqual({ ok: true, eventId: "ord_77" });
  });

  test("accepts a numeric id at a JSON path only while it is an exact integer", () => {
    const config: GenericConfig = { ...SIGNED, eventId: { jsonPath: "id" } };
    const exact = '{"id":9007199254740991}';
    const rounded = '{"id":9007199254740993}';
    expect(verify(exact, { "x-signature": hexSignature(exact) }, config)).toEqual({
      ok: true,
      eventId: "9007199254740991",
    });
    expect(verify(rounded, { "x-signature": hexSignature(rounded) }, config)).toMatchObject({
      error: "missing_event_id",
    });
  });

  test("accepts an unsigned request only when signature is explicitly none", () => {
    const config: GenericConfig = { eventId: {}, signature: "none" };
    expect(verify(BODY, { "idempotency-key": KEY }, config)).toEqual({ ok: true, eventId: KEY });
  });

  test("fails closed when the signature setting is missing", () => {
    const config = { eventId: {} } as unknown as GenericConfig;
    expect(verify(BODY, { "idempotency-key": KEY }, config)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("rejects a tampered body", () => {
    const signature = hexSignature(BODY);
    expect(verify(BODY.replace("1000", "1"), { "x-signature": signature, "idempotency-key": KEY })).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("rejects a signature made with another secret", () => {
    expect(verify(BODY, { "x-signature": hexSignature(BODY, "nope"), "idempotency-key": KEY })).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("accepts signatures made with the previous and the new secret while both are active", () => {
    const config: GenericConfig = {
      eventId: {},
      signature: { header: "x-signature", secrets: [SECRET, PREVIOUS_SECRET] },
    };
    for (const secret of [PREVIOUS_SECRET, SECRET]) {
      expect(verify(BODY, { "x-signature": hexSignature(BODY, secret), "idempotency-key": KEY }, config)).toMatchObject(
        {
          ok: true,
        },
      );
    }
  });

  test("rejects a request without the signature header", () => {
    expect(verify(BODY, { "idempotency-key": KEY })).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test.each([
    ["empty", ""],
    ["base64 instead of hex", createHmac("sha256", SECRET).update(BODY).digest("base64")],
    ["another algorithm's prefix", `sha1=${hexSignature(BODY)}`],
    ["a truncated digest", hexSignature(BODY).slice(1)],
  ])("rejects a malformed signature header: %s", (_case, signature) => {
    expect(verify(BODY, { "x-signature": signature, "idempotency-key": KEY })).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("refuses a validly signed request without the id header as missing_event_id", () => {
    expect(verify(BODY, { "x-signature": hexSignature(BODY) })).toMatchObject({ ok: false, error: "missing_event_id" });
  });

  test("refuses a validly signed body without the JSON path as missing_event_id", () => {
    const config: GenericConfig = { ...SIGNED, eventId: { jsonPath: "data.meta.missing" } };
    expect(verify(BODY, { "x-signature": hexSignature(BODY) }, config)).toMatchObject({ error: "missing_event_id" });
  });

  test("does not find inherited properties such as constructor at a JSON path", () => {
    const config: GenericConfig = { ...SIGNED, eventId: { jsonPath: "data.constructor.name" } };
    expect(verify(BODY, { "x-signature": hexSignature(BODY) }, config)).toMatchObject({ error: "missing_event_id" });
  });

  test("reports an unsigned request without an id as invalid_signature", () => {
    expect(verify(BODY, { "x-signature": hexSignature(BODY, "forged") })).toMatchObject({ error: "invalid_signature" });
  });

  test("refuses a validly signed body that is not JSON as malformed_payload when the id is in the body", () => {
    const config: GenericConfig = { ...SIGNED, eventId: { jsonPath: "id" } };
    expect(verify("id=1", { "x-signature": hexSignature("id=1") }, config)).toMatchObject({
      error: "malformed_payload",
    });
  });

  test("does not parse the body when the id comes from a header", () => {
    expect(verify("id=1", { "x-signature": hexSignature("id=1"), "idempotency-key": KEY })).toMatchObject({ ok: true });
  });

  test.each(UNUSUAL_EVENT_IDS)(
    "passes an event id with %s through unchanged, from a header or the body",
    (_case, id) => {
      expect(verify(BODY, { "x-signature": hexSignature(BODY), "idempotency-key": id })).toEqual({
        ok: true,
        eventId: id,
      });
      const body = JSON.stringify({ data: { meta: { id } } });
      const config: GenericConfig = { ...SIGNED, eventId: { jsonPath: "data.meta.id" } };
      expect(verify(body, { "x-signature": hexSignature(body) }, config)).toEqual({ ok: true, eventId: id });
    },
  );
});
