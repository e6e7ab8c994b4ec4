import { createHash } from "node:crypto";
import { describe, expect, test } from "@jest/globals";
import { verifyKeygen, verifyKeygenSignature } from "../../../../../lambdas/intake/signatures/keygen.ts";
import { keygenKeyPair, keygenSignedHeaders, keygenWebhookBody } from "./keygenRequests.ts";
import { NOW_MS, signedRequest, UNUSUAL_EVENT_IDS } from "./signedRequests.ts";

const current = keygenKeyPair();
const previous = keygenKeyPair();
const TOKEN = "b2d8d4f05cdc4ad1a9d6f3e0c3a9f6a1";
const BODY = keygenWebhookBody(TOKEN);
const PATH = "/webhooks/keygen";

function verify(body: string, headers: Record<string, string>, publicKeysHex = [current.publicKeyHex], nowMs = NOW_MS) {
  return verifyKeygen(signedRequest(body, headers, { rawPath: PATH }), { publicKeysHex }, nowMs);
}

describe("verifyKeygenSignature against a real Keygen signature", () => {
  const real = {
    method: "get",
    path: "/v1/accounts/1fddcec8-8dd3-4d8d-9b16-215cac0f9b52/me",
    host: "api.keygen.sh",
    publicKeyHex: "e8601e48b69383ba520245fd07971e983d06d22c4257cfd82304601479cee788",
    headers: {
      "keygen-signature":
        'keyid="1fddcec8-8dd3-4d8d-9b16-215cac0f9b52", algorithm="ed25519", signature="IiyYX1ah2HFzbcCx+3sv+KJpOppFdMRuZ7NWlnwZMKAf5khj9c4TO4z6fr62BqNXlyROOTxZinX8UpXHJHVyAw==", headers="(request-target) host date digest"',
      date: "Wed, 15 Jun 2022 18:52:14 GMT",
      digest: "sha-256=d4uZ26hjiUNqopuSkYcYwg2aBuNtr4D1/9iDhlvf0H8=",
    },
  };

  test("verifies the known answer", () => {
    expect(verifyKeygenSignature(real)).toBe(true);
  });

  test("rejects the known answer when one character of the path changes", () => {
    expect(verifyKeygenSignature({ ...real, path: real.path.replace("/me", "/mf") })).toBe(false);
  });

  test("rejects the known answer for another host, date or key", () => {
    expect(verifyKeygenSignature({ ...real, host: "api.keygen.sh.evil" })).toBe(false);
    expect(
      verifyKeygenSignature({ ...real, headers: { ...real.headers, date: "Wed, 15 Jun 2022 18:52:15 GMT" } }),
    ).toBe(false);
    expect(verifyKeygenSignature({ ...real, publicKeyHex: current.publicKeyHex })).toBe(false);
  });
});

describe("verifyKeygen", () => {
  test("accepts a signed webhook, keyed on the idempotency token, recording the event type", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey });
    expect(verify(BODY, headers)).toEqual({ ok: true, eventId: TOKEN, attributes: { eventType: "license.created" } });
  });

  test("gives a retried delivery (new data.id, same token) the same event id", () => {
    const retry = keygenWebhookBody(TOKEN, "0f8b6a7e-1111-4c1d-9e2f-123456789abc");
    const headers = keygenSignedHeaders({ body: retry, privateKey: current.privateKey });
    expect(verify(retry, headers)).toMatchObject({ ok: true, eventId: TOKEN });
  });

  test("rejects a tampered body", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey });
    expect(verify(BODY.replace("license.created", "license.deleted"), headers)).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("rejects a tampered body whose digest header was recomputed, because the digest is signed", () => {
    const tampered = BODY.replace("license.created", "license.deleted");
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey });
    headers.digest = `sha-256=${createHash("sha256").update(tampered).digest("base64")}`;
    expect(verify(tampered, headers)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("rejects a signature made with another key", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: keygenKeyPair().privateKey });
    expect(verify(BODY, headers)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("accepts signatures made with the previous and the new key while both are active", () => {
    const keys = [current.publicKeyHex, previous.publicKeyHex];
    expect(verify(BODY, keygenSignedHeaders({ body: BODY, privateKey: previous.privateKey }), keys)).toMatchObject({
      ok: true,
    });
    expect(verify(BODY, keygenSignedHeaders({ body: BODY, privateKey: current.privateKey }), keys)).toMatchObject({
      ok: true,
    });
  });

  test("rejects a date older than the tolerance as stale", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey, dateMs: NOW_MS - 301_000 });
    expect(verify(BODY, headers)).toMatchObject({ ok: false, error: "stale_timestamp" });
  });

  test("rejects a date further in the future than the tolerance as stale", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey, dateMs: NOW_MS + 301_000 });
    expect(verify(BODY, headers)).toMatchObject({ ok: false, error: "stale_timestamp" });
  });

  test("uses the configured toleranceSeconds", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey, dateMs: NOW_MS - 60_000 });
    const request = signedRequest(BODY, headers, { rawPath: PATH });
    expect(
      verifyKeygen(request, { publicKeysHex: [current.publicKeyHex], toleranceSeconds: 30 }, NOW_MS),
    ).toMatchObject({ error: "stale_timestamp" });
    expect(verifyKeygen(request, { publicKeysHex: [current.publicKeyHex] }, NOW_MS)).toMatchObject({ ok: true });
  });

  test("verifies against the public URL's host and path when the request arrives through a proxy", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey, host: "hooks.example.com" });
    const proxied = signedRequest(
      BODY,
      { ...headers, host: "abc123.execute-api.eu-west-1.amazonaws.com" },
      { rawPath: "/prod/webhooks/keygen" },
    );
    const publicUrl = "https://hooks.example.com/webhooks/keygen";
    expect(verifyKeygen(proxied, { publicKeysHex: [current.publicKeyHex] }, NOW_MS)).toMatchObject({
      error: "invalid_signature",
    });
    expect(verifyKeygen(proxied, { publicKeysHex: [current.publicKeyHex], publicUrl }, NOW_MS)).toMatchObject({
      ok: true,
    });
  });

  test("rejects a request when the configured publicUrl is not a URL", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey });
    const request = signedRequest(BODY, headers, { rawPath: PATH });
    expect(
      verifyKeygen(request, { publicKeysHex: [current.publicKeyHex], publicUrl: "not a url" }, NOW_MS),
    ).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("rejects a signature that does not cover the digest, since the body would then be unsigned", () => {
    const headers = keygenSignedHeaders({
      body: BODY,
      privateKey: current.privateKey,
      signedHeaders: "(request-target) host date",
    });
    expect(verify(BODY, headers)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("rejects an algorithm other than ed25519", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey, algorithm: "rsa-pss-sha256" });
    expect(verify(BODY, headers)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test("parses a header with irregular whitespace", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey });
    const spaced = headers["keygen-signature"]?.replaceAll(", ", " ,\t").replace(/([a-z])="/g, '$1 = "') ?? "";
    expect(spaced).toContain('algorithm = "ed25519" ,\t');
    expect(verify(BODY, { ...headers, "keygen-signature": spaced })).toMatchObject({ ok: true });
  });

  test("rejects a request without a keygen-signature header", () => {
    const { "keygen-signature": _omitted, ...headers } = keygenSignedHeaders({
      body: BODY,
      privateKey: current.privateKey,
    });
    expect(verify(BODY, headers)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test.each(["date", "digest", "host"])("rejects a request without the signed %s header", (name) => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey });
    delete headers[name];
    expect(verify(BODY, headers)).toMatchObject({ ok: false, error: "invalid_signature" });
  });

  test.each([
    ["empty", ""],
    ["not key=value pairs", "garbage"],
    ["unquoted values", 'keyid=a, algorithm=ed25519, signature=AAAA, headers="date"'],
    ["junk between pairs", 'algorithm="ed25519" junk signature="AAAA"'],
    ["no signature", 'algorithm="ed25519", headers="(request-target) host date digest"'],
    ["a signature that is not base64", `algorithm="ed25519", signature="${"!".repeat(88)}", headers="date"`],
    ["a signature of the wrong length", 'algorithm="ed25519", signature="AAAA", headers="date"'],
    ["a repeated parameter", 'algorithm="ed25519", algorithm="hmac-sha256", signature="AAAA", headers="date"'],
  ])("rejects a malformed header: %s", (_case, header) => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey });
    expect(verify(BODY, { ...headers, "keygen-signature": header })).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("rejects a date that is not an HTTP date", () => {
    const headers = keygenSignedHeaders({ body: BODY, privateKey: current.privateKey });
    expect(verify(BODY, { ...headers, date: "the other day" })).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test.each([
    ["no idempotency token", keygenWebhookBody(undefined)],
    ["an empty idempotency token", keygenWebhookBody("")],
    ["a numeric idempotency token", keygenWebhookBody(7)],
  ])("refuses a validly signed body with %s as missing_event_id", (_case, body) => {
    const headers = keygenSignedHeaders({ body, privateKey: current.privateKey });
    expect(verify(body, headers)).toMatchObject({ ok: false, error: "missing_event_id" });
  });

  test("reports an unsigned body without a token as invalid_signature", () => {
    const body = keygenWebhookBody(undefined);
    const headers = keygenSignedHeaders({ body, privateKey: keygenKeyPair().privateKey });
    expect(verify(body, headers)).toMatchObject({ error: "invalid_signature" });
  });

  test("refuses a validly signed body that is not JSON as malformed_payload", () => {
    const headers = keygenSignedHeaders({ body: "<xml/>", privateKey: current.privateKey });
    expect(verify("<xml/>", headers)).toMatchObject({ ok: false, error: "malformed_payload" });
  });

  test.each(UNUSUAL_EVENT_IDS)("passes an event id with %s through unchanged", (_case, token) => {
    const body = keygenWebhookBody(token);
    const headers = keygenSignedHeaders({ body, privateKey: current.privateKey });
    expect(verify(body, headers)).toMatchObject({ ok: true, eventId: token });
  });
});
