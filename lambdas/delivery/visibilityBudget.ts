/**
 * How long a received message may be hidden, under SQS's rules. SQS refuses a `ChangeMessageVisibility` whose new
 * visibility would end more than 12 hours after the message was *received* (not after the call), and any value
 * outside 0–43 200 s. A refused call is only logged, and the message then returns after the queue's own timeout,
 * so asking for too much is worse than asking for what is allowed: a long delay is served over several receives.
 */

/** SQS's ceiling on a message's visibility, counted from its receive: 12 hours. */
export const SQS_MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Time we assume may have passed between SQS's receive and the start of our invocation: Lambda's event source
 * waits at most 300 s (the longest batching window) before it invokes; the rest covers its own polling and retries
 * of a throttled invocation.
 */
export const RECEIVE_TO_INVOKE_MARGIN_SECONDS = 600;

/**
 * Longest hide that is always accepted on this receive, `elapsedSinceInvokeSeconds` into the invocation: what is
 * left of the 12 hours once the margin and the time already spent are taken off. Whole seconds, never negative.
 */
export function visibilityBudgetSeconds(elapsedSinceInvokeSeconds: number): number {
  const elapsed = Math.max(0, Math.ceil(elapsedSinceInvokeSeconds));
  return Math.max(0, SQS_MAX_VISIBILITY_SECONDS - RECEIVE_TO_INVOKE_MARGIN_SECONDS - elapsed);
}

/** The visibility to ask for to wait `delaySeconds`: the delay, or as much of it as this receive allows. */
export function visibilityFor(delaySeconds: number, elapsedSinceInvokeSeconds: number): number {
  const wanted = Math.max(0, Math.round(delaySeconds));
  return Math.min(wanted, visibilityBudgetSeconds(elapsedSinceInvokeSeconds));
}
