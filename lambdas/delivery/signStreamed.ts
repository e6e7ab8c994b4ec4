import { createHmac } from "node:crypto";
import { standardSigningKey } from "../intake/signatures/standard.ts";

/** What a streamed Standard Webhooks signature covers: `${id}.${timestamp}.${body}`, the body read in parts. */
export interface StreamedSignatureInput {
  /** `webhook-id`: the delivery's idempotency key. */
  id: string;
  /** `webhook-timestamp`, whole unix seconds. */
  timestampSec: number;
  /** `whsec_…` secrets: one `v1,` signature each, as `outboundHeaders` signs. */
  secrets: readonly string[];
  /** The exact bytes that will be POSTed (e.g. `openBody`'s stream), read once. */
  body: AsyncIterable<Uint8Array>;
}

/** The signatures, and how many body bytes they cover. */
export interface StreamedSignature {
  /** `v1,<base64>` per secret, in the secrets' order: what `presignedOutboundHeaders` puts in `webhook-signature`. */
  signatures: string[];
  bytes: number;
}

/**
 * Signs a body as it streams, one incremental HMAC-SHA256 per secret over a single read of it, so a 5 MB body is
 * never held in memory: the same signatures `signStandardWebhook` computes over the same bytes in one buffer.
 * @throws Error when a secret is not `whsec_…` base64 or the timestamp is not whole non-negative seconds (before
 * reading); the stream's error when the body fails (e.g. a `BodyIntegrityError`): then nothing is signed
 */
export async function signStreamed(input: StreamedSignatureInput): Promise<StreamedSignature> {
  if (!Number.isSafeInteger(input.timestampSec) || input.timestampSec < 0) {
    throw new Error("Standard Webhooks timestamp must be whole non-negative unix seconds");
  }
  const prefix = `${input.id}.${input.timestampSec}.`;
  const hmacs = input.secrets.map((secret) => createHmac("sha256", standardSigningKey(secret)).update(prefix));
  let bytes = 0;
  for await (const chunk of input.body) {
    bytes += chunk.byteLength;
    for (const hmac of hmacs) hmac.update(chunk);
  }
  return { signatures: hmacs.map((hmac) => `v1,${hmac.digest("base64")}`), bytes };
}
