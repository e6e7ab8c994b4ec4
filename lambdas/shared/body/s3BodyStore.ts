/**
 * The body bucket: large bodies as content-addressed S3 objects (a claim check; the events table keeps the
 * reference). Plain functions with the client injected, like the table stores.
 */
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type BodyEncoding, bodyDecoder, type EncodedBody, isBodyEncoding } from "./bodyCodec.ts";
import { bodyObjectKey, sha256Hex } from "./bodyObjectKey.ts";
import { verifiedBody } from "./verifiedBody.ts";

/** Where a body is and what it is: what the events table stores in place of an S3 body. */
export interface S3BodyRef {
  bucket: string;
  key: string;
  encoding: BodyEncoding;
  /** The original body's length. */
  bytes: number;
  /** The object's length (after encoding). */
  storedBytes: number;
  /** SHA-256 of the original body, hex: every read is checked against it. */
  sha256: string;
}

export interface PutBodyOptions {
  /** The body as received: hashed for the key and the reference (`encoded` is what is written). */
  original: Uint8Array;
  /**
   * When the event expires (its `expiresAt`), written as object metadata for operators. The bucket's lifecycle
   * rule, not this, deletes the object: it runs on the object's last write, so a later duplicate's rewrite keeps
   * it for that event's retention too.
   */
  expiresAtEpochSec: number;
  /** E.g. the intake's request deadline (`RequestDeadline.signal`). */
  abortSignal?: AbortSignal;
}

/** User metadata on each object (`x-amz-meta-oncegate-…`), so an object explains itself without the table. */
const METADATA = {
  encoding: "oncegate-encoding",
  bytes: "oncegate-bytes",
  sha256: "oncegate-sha256",
  expiresAt: "oncegate-expires-at",
} as const;

/**
 * Writes a body's object and returns its reference. Idempotent: the key is the SHA-256 of the original bytes,
 * so a retry or a duplicate rewrites the same object with the same bytes (no condition: a rewrite also restarts
 * the lifecycle clock for the newest event that uses it). S3 checks the upload against a SHA-256 of the stored
 * bytes (`ChecksumAlgorithm`); encryption is the bucket's default (SSE-S3, or the KMS key the construct was given),
 * so no per-request header can weaken it.
 * @throws the S3 client's error when the write fails; nothing is referenced then, and an object a failed call
 * did write is only an orphan the lifecycle rule removes
 */
export async function putBody(
  s3: S3Client,
  bucket: string,
  encoded: EncodedBody,
  options: PutBodyOptions,
): Promise<S3BodyRef> {
  const sha256 = sha256Hex(options.original);
  const key = bodyObjectKey(sha256, encoded.encoding);
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: encoded.data,
      ContentLength: encoded.data.byteLength,
      ContentType: "application/octet-stream",
      ChecksumAlgorithm: "SHA256",
      Metadata: {
        [METADATA.encoding]: encoded.encoding,
        [METADATA.bytes]: String(options.original.byteLength),
        [METADATA.sha256]: sha256,
        [METADATA.expiresAt]: String(options.expiresAtEpochSec),
      },
    }),
    { abortSignal: options.abortSignal },
  );
  return {
    bucket,
    key,
    encoding: encoded.encoding,
    bytes: options.original.byteLength,
    storedBytes: encoded.data.byteLength,
    sha256,
  };
}

export interface OpenBodyOptions {
  /** Aborts the GET (and with it the stream), e.g. when the attempt's deadline passes. */
  abortSignal?: AbortSignal;
}

/**
 * Streams a body's ORIGINAL bytes: the object, decompressed as it arrives (gzip's 32 KB window, 16 KB chunks), so
 * memory stays at a few chunks whatever the body's size; never the whole body in one buffer. The stream fails
 * (a `BodyIntegrityError`) instead of ending when the bytes are not the reference's length and SHA-256, and
 * with the S3 client's error when the read stalls (`S3_BODY_CALL_LIMITS.socketTimeoutMs`). Each call is one GET:
 * the delivery opens a body twice, once to sign it and once to POST it. Destroy the stream to stop early.
 * @throws Error when the reference's encoding is unknown; the S3 client's error when the GET fails
 */
export async function openBody(s3: S3Client, ref: S3BodyRef, options: OpenBodyOptions = {}): Promise<Readable> {
  if (!isBodyEncoding(ref.encoding)) throw new Error(`body ${ref.key}: unknown encoding ${String(ref.encoding)}`);
  const response = await s3.send(new GetObjectCommand({ Bucket: ref.bucket, Key: ref.key, ChecksumMode: "ENABLED" }), {
    abortSignal: options.abortSignal,
  });
  const object = response.Body;
  if (!(object instanceof Readable)) throw new Error(`body ${ref.key}: GetObject returned no Node stream`);
  const verifier = verifiedBody(ref);
  const decoder = bodyDecoder(ref.encoding);
  // The pipeline destroys every stage with the first error, so the verifier (what the caller reads) fails with
  // it, and destroying the verifier early releases the S3 connection.
  const stages = decoder === undefined ? pipeline(object, verifier) : pipeline(object, decoder, verifier);
  stages.catch(() => {}); // reported through the verifier, which the caller reads
  return verifier;
}
