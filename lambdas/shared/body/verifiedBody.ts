import { createHash } from "node:crypto";
import { Transform } from "node:stream";

/** What a body must be: its length and SHA-256 (hex), from its stored reference. */
export interface ExpectedBody {
  bytes: number;
  sha256: string;
}

/** Thrown (as a stream error) when streamed bytes are not the body their reference describes. */
export class BodyIntegrityError extends Error {
  override readonly name = "BodyIntegrityError";
  /** What an attempt that fails on it records as its network error's code (`sendAttempt` reads `code`). */
  readonly code = "body_integrity";
}

/**
 * A pass-through that hashes and counts the bytes flowing through it and fails the stream, instead of ending
 * it, when they are not `expected`: more bytes than expected fail at once, a short or altered body at its end.
 * The delivery reads a body in full to sign it before any byte is POSTed, so a damaged or wrong object is never
 * signed, never delivered.
 */
export function verifiedBody(expected: ExpectedBody): Transform {
  const hash = createHash("sha256");
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.byteLength;
      if (seen > expected.bytes) {
        callback(new BodyIntegrityError(`body is longer than its ${expected.bytes} bytes`));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      if (seen !== expected.bytes) {
        callback(new BodyIntegrityError(`body ended after ${seen} of its ${expected.bytes} bytes`));
        return;
      }
      const sha256 = hash.digest("hex");
      callback(sha256 === expected.sha256 ? null : new BodyIntegrityError("body does not match its sha256"));
    },
  });
}
