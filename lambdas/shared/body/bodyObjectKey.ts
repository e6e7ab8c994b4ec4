import { createHash } from "node:crypto";
import type { BodyEncoding } from "./bodyCodec.ts";

/**
 * Every body object's key starts with this: the bucket's lifecycle rule and the Lambdas' IAM grants name
 * `bodies/*`, so nothing else a bucket might one day hold is expired or readable by them.
 */
export const BODY_KEY_PREFIX = "bodies/";

const SHA256_HEX = /^[0-9a-f]{64}$/;
// Part of the key, so a ref's encoding and its object's can never disagree (see bodyObjectKey).
const EXTENSIONS: Record<BodyEncoding, string> = { gzip: "gz", identity: "raw" };

/** The SHA-256 of `bytes`, as 64 lowercase hex digits. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The object key of a body: `bodies/<first 2 hex digits>/<sha256>.<gz|raw>`, each part chosen:
 * - `<sha256>` of the ORIGINAL bytes: content-addressed, so the same body always gets the same key. A retried
 *   intake, a duplicate delivery of the same event, or the same bytes under another event id rewrite one object
 *   (same bytes, same meaning) instead of leaving copies; no key is derived from untrusted text, so nothing can
 *   collide or escape the prefix.
 * - `<first 2 hex digits>/`: 256 prefixes for S3 to partition on from the start. S3 serves 3 500 PUT and 5 500 GET
 *   per second per partitioned prefix, and splits a hot one only after minutes of 503 SlowDown; uniformly random
 *   leading characters let it spread a 10 000 events/s burst without that warm-up.
 * - `.gz` / `.raw`, the encoding: the same bytes encoded by another version of the codec (another threshold) get
 *   their own object, so a stored reference never points at bytes in an encoding it does not say.
 * @throws Error when `sha256` is not 64 lowercase hex digits
 */
export function bodyObjectKey(sha256: string, encoding: BodyEncoding): string {
  if (!SHA256_HEX.test(sha256)) throw new Error("body key: sha256 must be 64 lowercase hex digits");
  return `${BODY_KEY_PREFIX}${sha256.slice(0, 2)}/${sha256}.${EXTENSIONS[encoding]}`;
}
