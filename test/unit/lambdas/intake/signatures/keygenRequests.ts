import { generateKeyPairSync, type KeyObject } from "node:crypto";
import {
  type KeygenSigningOptions as LocalKeygenSigningOptions,
  keygenSignedHeaders as signKeygenHeaders,
} from "../../../../../local/keygenSigning.ts";
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

export type KeygenSigningOptions = Omit<LocalKeygenSigningOptions, "dateMs" | "host" | "path"> &
  Partial<Pick<LocalKeygenSigningOptions, "dateMs" | "host" | "path">>;

/** The headers Keygen sends with a webhook, signed independently of the code under test; by default at `NOW_MS`. */
export function keygenSignedHeaders(options: KeygenSigningOptions): Record<string, string> {
  return signKeygenHeaders({
    ...options,
    dateMs: options.dateMs ?? NOW_MS,
    host: options.host ?? "hooks.example.com",
    path: options.path ?? "/webhooks/keygen",
  });
}
