import { OperatorError, OperatorUsageError, TargetError } from "../errors.ts";

/** Error names the AWS SDK gives a refused identity. */
const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"]);
const EXPIRED = new Set([
  "ExpiredToken",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "UnrecognizedClientException",
]);
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ECONNRESET", "ETIMEDOUT"]);

/**
 * The operator's version of an AWS SDK failure: no or expired credentials, access denied, no region, AWS not
 * reachable. Anything else (and our own errors) is returned as it is.
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
  if ((code !== undefined && UNREACHABLE_CODES.has(code)) || name === "TimeoutError") {
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
