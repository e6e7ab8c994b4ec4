import { decodeBody, encodeBody } from "./body/bodyCodec.ts";
import type { BodyItem } from "./eventRecord.ts";

/**
 * How the signed bytes are kept in their body item, and how they come back byte for byte: through the body codec
 * (`body/bodyCodec.ts`: gzip 6 when it saves at least 10 %, the bytes as they are below 256 B or when gzip does
 * not pay). This pair is the one place the stores meet the inline stored form.
 */

/** What a body item holds besides its keys and expiry. */
export type StoredBodyAttributes = Pick<BodyItem, "encoding" | "data" | "bytes">;

/** The stored form of `rawBody`: `encodeBody`'s, with the size of the signed bytes. */
export function storedBodyAttributes(rawBody: Uint8Array): StoredBodyAttributes {
  const { encoding, data } = encodeBody(rawBody);
  return { encoding, data: encoding === "gzip" ? new Uint8Array(data) : rawBody, bytes: rawBody.byteLength };
}

/**
 * The signed bytes of a stored body.
 * @throws Error when the stored form is corrupt, decodes past the codec's bound, or names an unknown encoding
 */
export function restoreBody(stored: Pick<BodyItem, "encoding" | "data">): Uint8Array {
  const decoded = decodeBody({ encoding: stored.encoding, data: stored.data });
  return new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength);
}
