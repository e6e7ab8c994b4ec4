import { OperatorError, OperatorUsageError, TargetError } from "../errors.ts";

/** Error names the AWS SDK gives a refused identity. */
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"]);
const EXPIRED = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
]);
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET"]);
/** What DynamoDB, SQS and S3 call a refused rate (the SDK retried them; these are what its retries left). */
const THROTTLED = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "Throttling",
  "SlowDown",
]);

/**
 * The operator's version of an AWS SDK failure: no or expired credentials, access denied, no region, throttled,
 * timed out, a server error, AWS not reachable. Anything else (and our own errors) is returned as it is.
 */
export function operatorFailureOf(error: unknown, where: string): unknown {
  if (error instanceof OperatorError) return error;
  const { name, message, code } = (error ?? {}) as { name?: string; message?: string; code?: string };
  const text = message ?? "";
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(text)) {
    return new TargetError(
      "no_credentials",
      "No AWS credentials were found: pass --profile <name>, set AWS_PROFILE, or sign in (aws configure, aws sso login).",
      { cause: error },
    );
  }
  if (name !== undefined && EXPIRED.has(name)) {
    return new TargetError(
      "no_credentials",
      "The AWS credentials were refused (expired or unknown): sign in again (aws sso login) or pass another --profile.",
      { cause: error },
    );
  }
  if (/region is missing/i.test(text)) {
    return new OperatorUsageError("no_region", "No AWS region is set: pass --region, or set AWS_REGION.", {
      cause: error,
    });
  }
  if (name !== undefined && ACCESS_DENIED.has(name)) {
    return new TargetError(
      "access_denied",
      `Your AWS identity may not ${where}: attach the stack's OperatorPolicyArn managed policy to it.`,
      { cause: error },
    );
  }
  if (name !== undefined && THROTTLED.has(name)) {
    return new TargetError(
      "aws_throttled",
      `AWS throttled the calls to ${where} (${name}), past the SDK's retries: try again in a few seconds.`,
      { cause: error },
    );
  }
  if (name === "TimeoutError" || code === "ETIMEDOUT") {
    return new TargetError(
      "aws_timeout",
      `AWS did not answer in time (${name === "TimeoutError" ? "each attempt timed out" : code}) while trying to ${where}: try again; if it persists, check the network and the AWS Health Dashboard.`,
      { cause: error },
    );
  }
  const { $fault, $metadata } = (error ?? {}) as { $fault?: string; $metadata?: { httpStatusCode?: number } };
  if ($fault === "server" || ($metadata?.httpStatusCode ?? 0) >= 500) {
    return new TargetError(
      "aws_server_error",
      `AWS failed (${name ?? "a server error"}, past the SDK's retries) while trying to ${where}: try again in a moment.`,
      { cause: error },
    );
  }
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    return new TargetError(
      "aws_unreachable",
      `AWS did not answer (${code ?? name}) while trying to ${where}: check the network and --region.`,
      {
        cause: error,
      },
    );
  }
  return error;
}

/** Runs `call`, turning its AWS failure into the operator's (see {@link operatorFailureOf}). */
export async function asOperator<T>(where: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw operatorFailureOf(error, where);
  }
}
