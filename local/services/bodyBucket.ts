import { CreateBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import type { FauxqsServer } from "fauxqs";
import { newBodyS3Client } from "../../lambdas/shared/body/bodyS3Client.ts";

/** The local stack's body bucket (fauxqs's S3 emulator; one bucket per stack, as in AWS). */
export const LOCAL_BODY_BUCKET = "oncegate-bodies";

// fauxqs checks no signature, but the SDK signs every request and needs some credentials to do it.
const LOCAL_S3_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/**
 * A client for the body bucket on fauxqs: path-style URLs (`http://127.0.0.1:PORT/bucket/key`), since
 * virtual-hosted ones (`bucket.127.0.0.1`) do not resolve, and the gateway's own bounds (`newBodyS3Client`).
 */
export function localBodyS3Client(endpoint: string): S3Client {
  return newBodyS3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: LOCAL_S3_CREDENTIALS });
}

/**
 * Creates the body bucket on fauxqs unless it exists (a restarted stack keeps its objects). fauxqs stores the
 * lifecycle rule but does not run it: locally, bodies stay until the stack's data directory is removed.
 */
export function ensureLocalBodyBucket(fauxqs: FauxqsServer, bucket = LOCAL_BODY_BUCKET): string {
  return fauxqs.createBucket(bucket).bucketName;
}

/**
 * The same through the S3 API, for a tool that has only fauxqs's address (a benchmark): creates `bucket` unless it
 * is there, and returns its client and name.
 */
export async function localBodyBucketAt(
  endpoint: string,
  bucket = LOCAL_BODY_BUCKET,
): Promise<{ s3: S3Client; bodyBucket: string }> {
  const s3 = localBodyS3Client(endpoint);
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name !== "BucketAlreadyOwnedByYou" && name !== "BucketAlreadyExists") throw error;
  }
  return { s3, bodyBucket: bucket };
}
