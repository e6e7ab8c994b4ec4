/**
 * How a webhook body is stored: gzip-compressed when that saves enough, as it is otherwise. Pure; the delivery
 * decodes back to the exact bytes the provider sent (and signed), byte for byte.
 *
 * Why gzip at level 6 (`npm run bench:compression`, bench/results/compression.json, Stripe, GitHub and Shopify
 * payloads in their real shapes): it stores them 1.8–4.4× smaller at ~1 KB, 2.2–5.3× at 2 KB, 4.4–7.9× at 8 KB,
 * 4.6–12.4× at 64 KB and 4.6–17.9× at 1 MB, encoding a 1–2 KB body in 14–36 µs and decoding it in 5–8 µs (a
 * 1 MB one: 4–44 ms and 0.6–1.7 ms), noise next to the intake's DynamoDB write.
 * - gzip 1 is up to 2.7× faster on large bodies but stores up to 28 % more (1 MB Stripe: 14.0× against 17.9×);
 *   gzip 9 stores at most 13 % less for 3–4× the time from 64 KB up (64 KB Stripe: 902 µs against 253 µs).
 * - Brotli (qualities 1–11) was measured and rejected. At ≤ 8 KB, where most webhooks are, quality 4 stores within
 *   ±8 % of gzip 6 (the same DynamoDB write units) in twice the time (38 µs against 20 µs at 2 KB); its gain, up
 *   to 24 % at 64 KB–1 MB, lands on bodies that mostly go to S3, where a byte costs next to nothing. And its
 *   decoder keeps a ring buffer as large as the encoder's window (4 MB by default) where gzip's is 32 KB: the
 *   delivery streams a 5 MB body through the decoder twice. Quality 11 takes 1–2 s per MB.
 * - gzip is also what every tool reads (`aws s3 cp s3://…/key - | gunzip`).
 */
import { constants, createGunzip, gunzipSync, gzipSync } from "node:zlib";

/** How stored bytes map back to the body: `gzip` (RFC 1952) or `identity` (the body itself). */
export type BodyEncoding = "gzip" | "identity";

/** A body as stored. */
export interface EncodedBody {
  encoding: BodyEncoding;
  /** The stored bytes: the body itself for `identity`. */
  data: Uint8Array;
}

/** The choices {@link encodeBody} makes, each documented and exported so the benchmark measures these. */
export const BODY_CODEC = {
  /** zlib's default: the knee of the level/size curve on webhook JSON (see above). */
  gzipLevel: 6,
  /** Below this, a body is stored as it is: gzip's 18-byte frame eats what little such a body would save. */
  minCompressibleBytes: 256,
  /**
   * Compressed data must be at most this share of the body, i.e. save at least 10 %, or the body is stored as
   * it is: already compressed or random content (an image, ciphertext) costs a decode on every read for nothing.
   */
  maxKeptRatio: 0.9,
  /**
   * Most bytes {@link decodeBody} will produce: above the largest body the gateway accepts (5 MB), so a stored
   * value that decodes to more is refused instead of exhausting the Lambda's memory.
   */
  maxDecodedBytes: 8 * 1024 * 1024,
} as const;

/** Encodes `body` for storage: gzip when it saves at least 10 %, otherwise `identity` (the same bytes). */
export function encodeBody(body: Uint8Array): EncodedBody {
  if (body.byteLength < BODY_CODEC.minCompressibleBytes) return { encoding: "identity", data: body };
  const compressed = gzipSync(body, { level: BODY_CODEC.gzipLevel });
  if (compressed.byteLength > body.byteLength * BODY_CODEC.maxKeptRatio) return { encoding: "identity", data: body };
  return { encoding: "gzip", data: compressed };
}

/**
 * The original body of a stored one, byte for byte.
 * @throws Error when `encoding` is unknown, or the data is not valid gzip or decodes past `maxDecodedBytes`
 */
export function decodeBody(encoded: EncodedBody): Buffer {
  const data = Buffer.from(encoded.data.buffer, encoded.data.byteOffset, encoded.data.byteLength);
  switch (encoded.encoding) {
    case "identity":
      return data;
    case "gzip":
      return gunzipSync(data, { maxOutputLength: BODY_CODEC.maxDecodedBytes });
    default:
      throw new Error(`unknown body encoding ${JSON.stringify(encoded.encoding satisfies never)}`);
  }
}

/**
 * A transform from stored bytes to the body's, for streaming a large body (`openBody`): gunzip for `gzip`
 * (32 KB window, output in 16 KB chunks), or undefined for `identity`, whose bytes pass through as they are.
 * @throws Error when `encoding` is unknown
 */
export function bodyDecoder(encoding: BodyEncoding): ReturnType<typeof createGunzip> | undefined {
  switch (encoding) {
    case "identity":
      return undefined;
    case "gzip":
      return createGunzip({ chunkSize: constants.Z_DEFAULT_CHUNK });
    default:
      throw new Error(`unknown body encoding ${JSON.stringify(encoding satisfies never)}`);
  }
}

/** Whether `value` is a {@link BodyEncoding}: a stored reference is data, checked before it is trusted. */
export function isBodyEncoding(value: unknown): value is BodyEncoding {
  return value === "gzip" || value === "identity";
}
