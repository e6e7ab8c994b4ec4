/**
 * How much time an invocation has left, from the Lambda context. Settle retries and the batch loop's decision to
 * claim one more record read it; outside Lambda (no context) there is no clock to respect, so the retries'
 * own bounds apply.
 */
export interface LambdaTimeLike {
  getRemainingTimeInMillis?: () => number;
}

/** Kept back from Lambda's remaining time: returning the answer itself takes a moment. */
export const RETURN_MARGIN_MS = 50;

export function timeLeftOf(context: LambdaTimeLike | undefined): () => number {
  const remaining = context?.getRemainingTimeInMillis;
  if (typeof remaining !== "function") return () => Number.POSITIVE_INFINITY;
  return () => remaining.call(context) - RETURN_MARGIN_MS;
}

/** Middy's early timeout (`timeoutEarlyInMillis`, on by default): the invocation is about to end, not the handler. */
export function isInvocationTimeout(error: unknown): boolean {
  const failure = error as { name?: unknown; cause?: { package?: unknown } } | null;
  return failure?.name === "TimeoutError" && failure.cause?.package === "@middy/core";
}
