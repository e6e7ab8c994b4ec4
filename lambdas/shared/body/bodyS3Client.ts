import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/**
 * Bounds on the body bucket's calls, in the spirit of `AWS_CALL_LIMITS` but sized for bodies of up to 5 MB:
 * - `connectionTimeoutMs` 1 s: in-region S3 connects in milliseconds.
 * - `requestTimeoutMs` 5 s, from sending the request to the response's headers: a 5 MB PUT uploads in ~0.1 s
 *   in-region, so 5 s is a hung call. The intake passes its request deadline as `abortSignal` too, which wins.
 * - `socketTimeoutMs` 5 s without a byte, while a GET's body streams: a stalled S3 fails the read instead of
 *   holding the delivery until its Lambda timeout. (A consumer that stops reading for 5 s mid-POST stalls the
 *   socket too, and that attempt fails as a network error and is retried.)
 * - `maxAttempts` 3: one call's worst case is just over 15 s, inside the delivery's 30 s and cut short by the
 *   intake's deadline.
 */
export const S3_BODY_CALL_LIMITS = {
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 5_000,
  socketTimeoutMs: 5_000,
  maxAttempts: 3,
} as const;

/**
 * The body bucket's client: the standard AWS SDK configuration with {@link S3_BODY_CALL_LIMITS}, and `overrides`
 * for a local stack (`endpoint`, `forcePathStyle: true`, `credentials`).
 */
export function newBodyS3Client(overrides: S3ClientConfig = {}): S3Client {
  return new S3Client({
    maxAttempts: S3_BODY_CALL_LIMITS.maxAttempts,
    requestHandler: {
      connectionTimeout: S3_BODY_CALL_LIMITS.connectionTimeoutMs,
      requestTimeout: S3_BODY_CALL_LIMITS.requestTimeoutMs,
      socketTimeout: S3_BODY_CALL_LIMITS.socketTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...overrides,
  });
}
