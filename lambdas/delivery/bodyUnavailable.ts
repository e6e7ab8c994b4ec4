/**
 * When an S3 body read is a lasting failure rather than a passing one. Pure.
 *
 * An S3 body is written before its event's state (and S3 reads after a write are strongly consistent), so a
 * missing object, a denied read or bytes that fail their SHA-256 will not heal by waiting on the consumer: such a
 * receive counts no attempt (like any failure of our own infrastructure, it is backed off and received again, in
 * case the cause was passing: a permission still propagating, a bucket policy being fixed), and from the
 * {@link BODY_UNAVAILABLE_RECEIVES}-th receive on the destination goes DEAD (`body_unavailable`), visible to an
 * operator, instead of waiting out the queue's backstop. Timeouts and 5xx from S3 are not lasting: the SDK
 * retries them, then the receive is backed off until the backstop.
 */

/** Receives of one job that find the body unavailable before its destination is marked DEAD (10 s, 20 s apart). */
export const BODY_UNAVAILABLE_RECEIVES = 3;

const LASTING_ERROR_NAMES = new Set(["BodyIntegrityError", "NoSuchKey", "NotFound", "AccessDenied", "NoSuchBucket"]);

/** Whether `error`, from reading an S3 body, says the body cannot be read now or later. */
export function isLastingBodyFailure(error: unknown): boolean {
  const failure = error as { name?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  if (typeof failure?.name === "string" && LASTING_ERROR_NAMES.has(failure.name)) return true;
  const status = failure?.$metadata?.httpStatusCode;
  return status === 403 || status === 404;
}
