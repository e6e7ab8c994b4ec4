import type { S3Client } from "@aws-sdk/client-s3";
import { readBodyBucket } from "./bodyEnvironment.ts";
import { newBodyS3Client } from "./bodyS3Client.ts";

/** What the intake and the delivery need to put and read bodies stored in S3. */
export interface BodyStoreDependencies {
  /** The body bucket's client (`newBodyS3Client`: bounds sized for bodies of up to 5 MB). */
  s3: S3Client;
  /** The body bucket (`ONCEGATE_BODY_BUCKET`). */
  bodyBucket: string;
}

/**
 * The body bucket from the environment, validated at cold start, and its bounded client (creating it makes no call).
 * @throws InvalidConfigurationError naming ONCEGATE_BODY_BUCKET
 */
export function bodyStoreFromEnvironment(env: Readonly<Record<string, string | undefined>>): BodyStoreDependencies {
  return { bodyBucket: readBodyBucket(env), s3: newBodyS3Client() };
}
