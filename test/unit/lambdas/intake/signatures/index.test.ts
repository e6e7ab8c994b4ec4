import { createHmac } from "node:crypto";
import { describe, expect, test } from "@jest/globals";
import {
  type SignatureSchemeConfig,
  signStandardWebhook,
  verifySignedRequest,
} from "../../../../../lambdas/intake/signatures/index.ts";
import { keygenKeyPair, keygenSignedHeaders, keygenWebhookBody } from "./keygenRequests.ts";
import { NOW_MS, NOW_SEC, signedRequest } from "./signedRequests.ts";

const SECRET = "shared-test-secret";
const STANDARD_SECRET = `whsec_${Buffer.from(SECRET).toString("base64")}`;
const BODY = JSON.stringify({ id: "evt_1", data: { meta: { idempotencyToken: "tok_1" } } });
const hmac = (content: string, encoding: "hex" | "base64") =>
  createHmac("sha256", SECRET).update(content).digest(encoding);
const keygen = keygenKeyPair();
const KEYGEN_BODY = keygenWebhookBody("tok_1");

interface DispatchCase {
  scheme: SignatureSchemeConfig["scheme"];
  config: SignatureSchemeConfig;
  body: string;
  headers: Record<string, string>;
  eventId: string;
}

const cases: DispatchCase[] = [
  {
    scheme: "stripe",
    config: { scheme: "stripe", secrets: [SECRET] },
    body: BODY,
    headers: { "stripe-signature": `t=${NOW_SEC},v1=${hmac(`${NOW_SEC}.${BODY}`, "hex")}` },
    eventId: "evt_1",
  },
  {
    scheme: "github",
    config: { scheme: "github", secrets: [SECRET] },
    body: BODY,
    headers: {
      "x-hub-signature-256": `sha256=${hmac(BODY, "hex")}`,
      "x-github-delivery": "gh_1",
      "x-github-hook-id": "7",
    },
    eventId: "7:gh_1",
  },
  {
    scheme: "shopify",
    config: { scheme: "shopify", secrets: [SECRET] },
    body: BODY,
    headers: { "x-shopify-hmac-sha256": hmac(BODY, "base64"), "x-shopify-webhook-id": "sh_1" },
    eventId: "sh_1",
  },
  {
    scheme: "standard",
    config: { scheme: "standard", secrets: [STANDARD_SECRET] },
    body: BODY,
    headers: {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(NOW_SEC),
      "webhook-signature": signStandardWebhook({
        id: "msg_1",
        timestampSec: NOW_SEC,
        body: BODY,
        secret: STANDARD_SECRET,
      }),
    },
    eventId: "msg_1",
  },
  {
    scheme: "keygen",
    config: { scheme: "keygen", publicKeysHex: [keygen.publicKeyHex] },
    body: KEYGEN_BODY,
    headers: keygenSignedHeaders({ body: KEYGEN_BODY, privateKey: keygen.privateKey, path: "/webhooks/test" }),
    eventId: "tok_1",
  },
  {
    scheme: "generic",
    config: {
      scheme: "generic",
      eventId: { jsonPath: "data.meta.idempotencyToken" },
      signature: { header: "x-sig", secrets: [SECRET] },
    },
    body: BODY,
    headers: { "x-sig": hmac(BODY, "hex") },
    eventId: "tok_1",
  },
];

describe("verifySignedRequest", () => {
  test.each(cases)("dispatches to the $scheme scheme", ({ config, body, headers, eventId }) => {
    expect(verifySignedRequest(config, signedRequest(body, headers), NOW_MS)).toMatchObject({ ok: true, eventId });
  });

  const notGitHub = cases.filter(({ scheme }) => scheme !== "github");
  test.each(notGitHub)("refuses a GitHub-signed request sent to the $scheme scheme", ({ config, body }) => {
    const otherHeaders = {
      "x-hub-signature-256": `sha256=${hmac(body, "hex")}`,
      "x-github-delivery": "gh_1",
      "x-github-hook-id": "7",
    };
    expect(verifySignedRequest(config, signedRequest(body, otherHeaders), NOW_MS)).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });

  test("fails closed on an unknown scheme", () => {
    const config = { scheme: "sparkpost", secrets: [SECRET] } as unknown as SignatureSchemeConfig;
    expect(verifySignedRequest(config, signedRequest(BODY, {}), NOW_MS)).toMatchObject({
      ok: false,
      error: "invalid_signature",
    });
  });
});
