import { createHash, type KeyObject, sign } from "node:crypto";

/** What a Keygen webhook signature covers, and how it is written. */
export interface KeygenSigningOptions {
  body: string | Buffer;
  /** The account's Ed25519 private key. */
  privateKey: KeyObject;
  /** The `date` header's instant. */
  dateMs: number;
  /** Host and path of the endpoint URL configured in Keygen: Keygen signs them. */
  host: string;
  path: string;
  /** @default "post" */
  method?: string;
  /** @default "(request-target) host date digest" */
  signedHeaders?: string;
  /** @default "ed25519" */
  algorithm?: string;
}

/**
 * The headers Keygen sends with a webhook (`host`, `date`, `digest`, `keygen-signature`), signed with Ed25519 over
 * the request target, host, date and body digest as Keygen documents it. Written with `node:crypto` only, never with
 * the gateway's verifier, so the two can disagree when one is wrong.
 */
export function keygenSignedHeaders(options: KeygenSigningOptions): Record<string, string> {
  const { body, privateKey, dateMs, host, path, method = "post" } = options;
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
