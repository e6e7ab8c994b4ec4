import { createHash, createHmac } from "node:crypto";
import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  type SignatureSchemeConfig,
  signStandardWebhook,
  verifySignedRequest,
} from "../../../../../lambdas/intake/signatures/index.ts";
import type { SignedRequest } from "../../../../../lambdas/intake/signatures/types.ts";
import { keygenKeyPair, keygenSignedHeaders } from "./keygenRequests.ts";
import { NOW_MS, NOW_SEC } from "./signedRequests.ts";

const SECRET = "property-secret";
const STANDARD_SECRET = `whsec_${Buffer.from(SECRET).toString("base64")}`;
const keygen = keygenKeyPair();
const PATH = "/webhooks/property";

const CONFIGS: SignatureSchemeConfig[] = [
  { scheme: "stripe", secrets: [SECRET] },
  { scheme: "github", secrets: [SECRET] },
  { scheme: "shopify", secrets: [SECRET] },
  { scheme: "standard", secrets: [STANDARD_SECRET] },
  { scheme: "keygen", publicKeysHex: [keygen.publicKeyHex] },
  { scheme: "generic", eventId: { jsonPath: "id" }, signature: { header: "x-signature", secrets: [SECRET] } },
];

// Header names the verifiers look at, so random maps reach their parsers and not only the "missing" branch.
const KNOWN_HEADERS = [
  "stripe-signature",
  "x-hub-signature-256",
  "x-github-delivery",
  "x-github-hook-id",
  "x-shopify-hmac-sha256",
  "x-shopify-webhook-id",
  "webhook-id",
  "webhook-timestamp",
  "webhook-signature",
  "keygen-signature",
  "host",
  "date",
  "digest",
  "x-signature",
  "idempotency-key",
  "constructor",
  "__proto__",
];

const headerValue = fc.oneof(
  fc.string({ unit: "binary", maxLength: 300 }),
  fc.constantFrom(`t=${NOW_SEC}`, `${NOW_SEC}`, "v1,", "sha256=", 'algorithm="ed25519"', "=", ",", '"', " "),
  fc
    .array(fc.constantFrom("t=", "v1=", "v1,", ",", " ", "=", '"', "sha256=", "abc", String(NOW_SEC)), {
      maxLength: 20,
    })
    .map((parts) => parts.join("")),
);
const headers = fc.dictionary(fc.oneof(fc.constantFrom(...KNOWN_HEADERS), fc.string({ maxLength: 20 })), headerValue, {
  maxKeys: 12,
});
const body = fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes));
const config = fc.constantFrom(...CONFIGS);
const nowMs = fc.oneof(fc.constant(NOW_MS), fc.integer({ min: 0, max: 2 ** 45 }));

const randomHex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes).toString("hex"));
const random64Bytes = fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => Buffer.from(bytes));

/** Headers shaped exactly like a real delivery for each scheme, but carrying a forged signature. */
function forgedHeaders(scheme: SignatureSchemeConfig["scheme"], rawBody: Buffer, hex: string, forged: Buffer) {
  const digest = `sha-256=${createHash("sha256").update(rawBody).digest("base64")}`;
  const shaped: Record<string, Record<string, string>> = {
    stripe: { "stripe-signature": `t=${NOW_SEC},v1=${hex}` },
    github: { "x-hub-signature-256": `sha256=${hex}`, "x-github-delivery": "d", "x-github-hook-id": "1" },
    shopify: { "x-shopify-hmac-sha256": Buffer.from(hex, "hex").toString("base64"), "x-shopify-webhook-id": "w" },
    standard: {
      "webhook-id": "m",
      "webhook-timestamp": String(NOW_SEC),
      "webhook-signature": `v1,${Buffer.from(hex, "hex").toString("base64")}`,
    },
    keygen: {
      host: "hooks.example.com",
      date: new Date(NOW_MS).toUTCString(),
      digest,
      "keygen-signature": `algorithm="ed25519", signature="${forged.toString("base64")}", headers="(request-target) host date digest"`,
    },
    generic: { "x-signature": hex },
  };
  return shaped[scheme] ?? {};
}

/** Headers of a genuinely signed delivery of `rawBody` for each scheme. */
function genuineHeaders(scheme: SignatureSchemeConfig["scheme"], rawBody: Buffer): Record<string, string> {
  const hmac = (...parts: (string | Buffer)[]) => {
    const mac = createHmac("sha256", SECRET);
    for (const part of parts) mac.update(part);
    return mac.digest();
  };
  switch (scheme) {
    case "stripe":
      return { "stripe-signature": `t=${NOW_SEC},v1=${hmac(`${NOW_SEC}.`, rawBody).toString("hex")}` };
    case "github":
      return {
        "x-hub-signature-256": `sha256=${hmac(rawBody).toString("hex")}`,
        "x-github-delivery": "d",
        "x-github-hook-id": "1",
      };
    case "shopify":
      return { "x-shopify-hmac-sha256": hmac(rawBody).toString("base64"), "x-shopify-webhook-id": "w" };
    case "standard":
      return {
        "webhook-id": "m",
        "webhook-timestamp": String(NOW_SEC),
        "webhook-signature": signStandardWebhook({
          id: "m",
          timestampSec: NOW_SEC,
          body: rawBody,
          secret: STANDARD_SECRET,
        }),
      };
    case "keygen":
      return keygenSignedHeaders({ body: rawBody, privateKey: keygen.privateKey, path: PATH });
    case "generic":
      return { "x-signature": hmac(rawBody).toString("hex") };
  }
}

function request(
  rawBody: Buffer,
  requestHeaders: Record<string, string>,
  method = "POST",
  rawPath = PATH,
): SignedRequest {
  return { rawBody, headers: requestHeaders, method, rawPath };
}

describe("every signature verifier, on hostile input", () => {
  test("never throws and never accepts random headers and body bytes", () => {
    fc.assert(
      fc.property(config, headers, body, fc.string(), fc.string(), nowMs, (cfg, hdrs, raw, method, path, now) => {
        const result = verifySignedRequest(cfg, request(raw, hdrs, method, path), now);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  test("rejects well-formed headers carrying a forged signature as invalid_signature", () => {
    fc.assert(
      fc.property(config, body, randomHex, random64Bytes, (cfg, raw, hex, forged) => {
        const result = verifySignedRequest(cfg, request(raw, forgedHeaders(cfg.scheme, raw, hex, forged)), NOW_MS);
        expect(result).toMatchObject({ ok: false, error: "invalid_signature" });
      }),
      { numRuns: 500 },
    );
  });

  test("accepts the signature of random body bytes, and rejects it once any byte of the body changes", () => {
    const flip = fc
      .uint8Array({ minLength: 1, maxLength: 256 })
      .chain((bytes) =>
        fc.tuple(fc.constant(Buffer.from(bytes)), fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 })),
      );
    fc.assert(
      fc.property(config, flip, (cfg, [raw, index, mask]) => {
        const signedHeaders = genuineHeaders(cfg.scheme, raw);
        const genuine = verifySignedRequest(cfg, request(raw, signedHeaders), NOW_MS);
        // Random bytes are rarely JSON, so a genuine request may still lack an id; what matters is the signature passed.
        expect(["ok", "missing_event_id", "malformed_payload"]).toContain(genuine.ok ? "ok" : genuine.error);
        const tampered = Buffer.from(raw);
        tampered[index] = (tampered[index] ?? 0) ^ mask;
        expect(verifySignedRequest(cfg, request(tampered, signedHeaders), NOW_MS)).toMatchObject({
          ok: false,
          error: "invalid_signature",
        });
      }),
      { numRuns: 500 },
    );
  });
});
