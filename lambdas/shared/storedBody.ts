import { gunzipSync, gzipSync } from "node:zlib";
import type { BodyEncoding, BodyItem } from "./eventRecord.ts";

/**
 * How the signed bytes are kept in their body item, and how they come back byte for byte. Webhook JSON compresses
 * several times over; a body that gzip does not make smaller (already compressed, or tiny) is kept as it is.
 *
 * Placeholder of the body codec: this pair is the one place that knows the stored form, to be replaced by the codec
 * (`lambdas/shared/body/`) and its S3 claim check without touching the stores.
 */

/** What a body item holds besides its keys and expiry. */
export type StoredBodyAttributes = Pick<BodyItem, "encoding" | "data" | "bytes">;

/** The stored form of `rawBody`: gzip when that is smaller, else the bytes themselves. */
export function storedBodyAttributes(rawBody: Uint8Array): StoredBodyAttributes {
  const gzipped = gzipSync(rawBody);
  const encoding: BodyEncoding = gzipped.byteLength < rawBody.byteLength ? "gzip" : "identity";
  return { encoding, data: encoding === "gzip" ? new Uint8Array(gzipped) : rawBody, bytes: rawBody.byteLength };
}

/**
 * The signed bytes of a stored body.
 * @throws Error when the stored form is corrupt or names an unknown encoding
 */
export function restoreBody(stored: Pick<BodyItem, "encoding" | "data">): Uint8Array {
  switch (stored.encoding) {
    case "identity":
      return stored.data;
    case "gzip":
      return new Uint8Array(gunzipSync(stored.data));
    default:
      throw new Error(`unknown body encoding ${JSON.stringify(stored.encoding)}`);
  }
}
