import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { NOW_MS } from "./signedRequests.ts";

/** An Ed25519 key pair standing in for a Keygen account's signing key. */
export function keygenKeyPair(): { privateKey: KeyObject; publicKeyHex: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  // The SPKI DER of an Ed25519 key is a 12-byte prefix followed by the 32 raw key bytes.
  const publicKeyHex = publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  return { privateKey, publicKeyHex };
}

/** A Keygen webhook-event body; a retry is a new event (new `data.id`) with the same idempotency token. */
export function keygenWebhookBody(idempotencyToken: unknown, eventId = "5b6b7f1e-0c4a-4b8e-9a53-6d1f3c2a9e10"): string {
  return JSON.stringify({
    data: {
      id: eventId,
      type: "webhook-events",
      attributes: {
        endpoint: "https://hooks.example.com/webhooks/keygen",
        event: "license.created",
        status: "DELIVERING",
      },
      meta: idempotencyToken === undefined ? {} : { idempotencyToken },
    },
  });
}

export interface KeygenSigningOptions {
  body: string | Buffer;
  privateKey: KeyObject;
  dateMs?: number;
  method?: string;
  host?: string;
  path?: string;
  signedHeaders?: string;
  algorithm?: string;
}

/** The headers Keygen sends with a webhook, signed independently of the code under test. */
export function keygenSignedHeaders(options: KeygenSigningOptions): Record<string, string> {
  const {
    body,
    privateKey,
    dateMs = NOW_MS,
    method = "post",
    host = "hooks.example.com",
    path = "/webhooks/keygen",
  } = options;
  const signedHeaders = options.signedHeaders ?? "(request-target) host date digest";
  const date = new Date(dateMs).toUTCString();
  const digest = `sha-256=${createHash("sha256").update(body).digest("base64")}`;
  const values: Record<string, string> = { "(request-target)": `${method} ${path}`, host, date, digest };
  const signingString = signedHeaders
    .split(" ")
    .map((name) => `${name}: ${values[name]}`)
    .join("\n");
  const signature = sign(null, Buffer.from(signingString), privateKey).toString("base64");
  const algorithm = options.algorithm ?? "ed25519";
  return {
    host,
    date,
    digest,
    "keygen-signature": `keyid="acct-1", algorithm="${algorithm}", signature="${signature}", headers="${signedHeaders}"`,
  };
}
