import { type AwsCallLimits, boundedClientConfig } from "../../lambdas/shared/awsClientLimits.ts";

/**
 * Bounds on the operator's AWS calls (CLI and console). The AWS SDK has none by default: a DynamoDB or SQS endpoint
 * that accepts the connection and never answers would hold `events list` or a console page forever. An operator is
 * often far from the region (a laptop, a VPN) and reads pages of up to 1 MB, so the bounds are looser than the
 * Lambdas' (`AWS_CALL_LIMITS`): a hung call fails after 3 attempts × 5 s, with the operator's sentence
 * (`aws_timeout`), not a spinner.
 */
export const OPERATOR_CALL_LIMITS: AwsCallLimits = {
  connectionTimeoutMs: 3_000,
  /** From sending an attempt to its answer's headers: a large payload still streams in after them, uncut. */
  requestTimeoutMs: 5_000,
  /** The SDK retries timeouts, throttling and 5xx itself; what is left after these is the operator's to see. */
  maxAttempts: 3,
};

/** Client settings with {@link OPERATOR_CALL_LIMITS}, to spread into a DynamoDB, SQS or S3 client's. */
export function operatorClientConfig() {
  return boundedClientConfig(OPERATOR_CALL_LIMITS);
}
