import type { S3Client } from "@aws-sdk/client-s3";
import { bodyPlacement } from "../shared/body/bodyPlacement.ts";
import { putBody } from "../shared/body/s3BodyStore.ts";
import type { NewEvent } from "../shared/eventRecord.ts";
import { callOptions, type RequestDeadline } from "../shared/requestDeadline.ts";

/** The body bucket as the intake writes it. */
export interface IntakeBodyBucket {
  s3: S3Client;
  bucket: string;
  /** Encoded bodies up to this many bytes stay inline. @default DEFAULT_INLINE_BODY_LIMIT_BYTES (7 KB) */
  inlineLimitBytes?: number;
}

/** Whether the encoded body of `event` goes to the body bucket (`bodyPlacement`). */
export function goesToS3(event: NewEvent, bucket: IntakeBodyBucket): boolean {
  return bodyPlacement(event.storedBody.data.byteLength, bucket.inlineLimitBytes) === "s3";
}

/**
 * Uploads the event's encoded body to the body bucket and returns the event with its state's `body` the object's
 * reference (`kind: "s3"`): called before the state's conditional put, so a state that names an S3 body always has
 * its object. The key is the SHA-256 of the signed bytes: a retry or a concurrent duplicate rewrites the same
 * object, and a crash before the claim leaves only an object the bucket's lifecycle rule deletes.
 * @throws the S3 client's error (the caller answers 503; nothing was claimed)
 */
export async function uploadBody(
  bucket: IntakeBodyBucket,
  event: NewEvent,
  deadline: RequestDeadline | undefined,
): Promise<NewEvent> {
  const { state } = event;
  const ref = await putBody(bucket.s3, bucket.bucket, event.storedBody, {
    original: event.rawBody,
    expiresAtEpochSec: state.expiresAt,
    ...callOptions(deadline, "PutObject (body)"),
  });
  return { ...event, state: { ...state, body: { kind: "s3", ...ref } } };
}
