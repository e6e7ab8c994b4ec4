/**
 * Delay before a job is looked at again after an infrastructure failure before the POST (DynamoDB or Secrets
 * Manager unreachable, throttled, failing). Such a receive is no attempt: attempts are counted in the event's
 * stored log, which the outage keeps us from writing. The store being unreadable, the only count at hand is SQS's
 * receive count, so the backoff doubles with it: 10 s, 20 s, 40 s … capped at 15 minutes, with ±20 % jitter so a
 * queue full of jobs does not come back in one wave when the store returns.
 */

export const INFRASTRUCTURE_BACKOFF_BASE_SECONDS = 10;
export const INFRASTRUCTURE_BACKOFF_CAP_SECONDS = 900;
const JITTER_FRACTION = 0.2;

/** Whole seconds to hide the job for after its `receiveCount`-th receive failed on our own infrastructure. */
export function infrastructureBackoffSeconds(receiveCount: number, random: () => number): number {
  const exponent = Math.max(0, Math.min(30, Math.floor(receiveCount) - 1));
  const base = Math.min(INFRASTRUCTURE_BACKOFF_CAP_SECONDS, INFRASTRUCTURE_BACKOFF_BASE_SECONDS * 2 ** exponent);
  const jittered = base * (1 - JITTER_FRACTION + 2 * JITTER_FRACTION * random());
  return Math.max(1, Math.round(jittered));
}
