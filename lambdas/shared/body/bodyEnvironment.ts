import { ENV } from "../environment.ts";
import { InvalidConfigurationError } from "../errors.ts";

/**
 * The body bucket's name, from `ONCEGATE_BODY_BUCKET` (set by `WebhookGateway` and the local stack), read once at
 * cold start by the Lambdas that write or read S3 bodies.
 * @throws {@link InvalidConfigurationError} naming the variable when it is unset or empty
 */
export function readBodyBucket(env: Readonly<Record<string, string | undefined>>): string {
  const bucket = env[ENV.bodyBucket];
  if (bucket === undefined || bucket === "") {
    throw new InvalidConfigurationError(ENV.bodyBucket, "environment variable is not set");
  }
  return bucket;
}
