/**
 * Bounds on every DynamoDB, SQS and Secrets Manager call of the gateway Lambdas. The AWS SDK has none by default:
 * a call to a DynamoDB that stops answering (a stuck connection, a brown-out) waits as long as the socket stays
 * open, so the intake would hang until its Lambda times out and API Gateway would answer a bare 5xx instead of our
 * 503 with `Retry-After`.
 *
 * One call's budget: 3 attempts × 2 s, plus the SDK's short backoff between them: just over 6 s (the intake's
 * failure tests hold it under 8 s). A hung store fails the call well inside the intake's 10 s Lambda timeout (and
 * API Gateway's 30 s), so the intake answers 503 itself and the provider retries. Nothing is acknowledged that is
 * not durably written either way.
 */
export const AWS_CALL_LIMITS = {
  /** Establishing the TCP connection. In-region, DynamoDB and SQS connect in milliseconds. */
  connectionTimeoutMs: 1_000,
  /**
   * One attempt, from sending it to the response's headers. DynamoDB and SQS answer the gateway's requests (an
   * item of at most 400 KB) in milliseconds: two seconds without an answer is a hung call, not a slow one.
   */
  requestTimeoutMs: 2_000,
  /**
   * Attempts per call; the SDK retries timeouts, throttling and 5xx. Set here because the DynamoDB client's own
   * default is now 4, which would stretch one hung call to over 8 s.
   */
  maxAttempts: 3,
} as const;

/** Bounds of one client's calls: {@link AWS_CALL_LIMITS}'s shape. */
export interface AwsCallLimits {
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
}

/**
 * Client settings with `limits` ({@link AWS_CALL_LIMITS} unless given), to spread into `new DynamoDBClient(…)` or
 * `new SQSClient(…)`. `requestHandler` is given as options of the SDK's own `NodeHttpHandler`, which builds it;
 * `throwOnRequestTimeout` is what makes an overrun an error (without it the handler logs a warning and keeps waiting).
 */
export function boundedClientConfig(limits: AwsCallLimits = AWS_CALL_LIMITS) {
  return {
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      throwOnRequestTimeout: true,
    },
  };
}
