import { INFRASTRUCTURE_BACKOFF_BASE_SECONDS, INFRASTRUCTURE_BACKOFF_CAP_SECONDS } from "./infrastructureBackoff.ts";
import { MAX_HONOURED_RETRY_AFTER_SECONDS } from "./retryPolicy.ts";
import { MAX_RETRY_DELAY_SECONDS, maxAttempts } from "./retrySchedule.ts";
import { SQS_MAX_VISIBILITY_SECONDS } from "./visibilityBudget.ts";

/**
 * The delivery queue's `maxReceiveCount`: a backstop, never the attempt counter. Attempts are counted in the event's
 * stored log; SQS's receive count only moves a job the gateway can no longer handle at all (a record that crashes
 * every invocation) to the dead-letter queue. It must therefore outlast every receive a healthy job can need:
 *
 *   maxAttempts                        one receive per POST
 *   + maxAttempts × hopsPerDelay       a delay longer than one receive may hide a message (12 h, less the margin)
 *                                      is served over several receives; the longest is a honoured Retry-After
 *   + outageReceives                   receives burnt while DynamoDB or Secrets Manager is down, backing off
 *                                      10 s → 15 min: an outage of OUTAGE_SURVIVED_SECONDS (24 h)
 *   + DUPLICATE_RECEIVES               early or duplicate receives (a visibility change that failed, a redrive)
 *
 * With the default schedule: 8 + 8 × 3 + 126 + 16 = 174, far under SQS's limit of 1 000.
 */

/** Length of an infrastructure outage every job in flight survives without reaching the dead-letter queue. */
export const OUTAGE_SURVIVED_SECONDS = 24 * 3600;
const DUPLICATE_RECEIVES = 16;
/** SQS's upper bound for a RedrivePolicy's maxReceiveCount. */
export const SQS_MAX_RECEIVE_COUNT = 1000;

/** Receives a `ChangeMessageVisibility`-served wait of `seconds` may take, in the worst case. */
function hopsFor(seconds: number): number {
  // The budget of one receive is at least 11 h (12 h less the receive-to-invoke margin and the invocation).
  return Math.ceil(seconds / (SQS_MAX_VISIBILITY_SECONDS - 3600));
}

function outageReceives(): number {
  let receives = 0;
  let waited = 0;
  for (let delay = INFRASTRUCTURE_BACKOFF_BASE_SECONDS; waited < OUTAGE_SURVIVED_SECONDS; receives++) {
    // The jitter may shorten a wait by 20 %: count with the shortest.
    waited += delay * 0.8;
    delay = Math.min(INFRASTRUCTURE_BACKOFF_CAP_SECONDS, delay * 2);
  }
  return receives;
}

/** `maxReceiveCount` for a queue whose jobs follow `schedule` (see the formula above). */
export function maxReceiveCountFor(schedule: readonly number[]): number {
  const attempts = maxAttempts(schedule);
  const longestDelay = Math.max(MAX_HONOURED_RETRY_AFTER_SECONDS, MAX_RETRY_DELAY_SECONDS);
  const total = attempts + attempts * hopsFor(longestDelay) + outageReceives() + DUPLICATE_RECEIVES;
  return Math.min(SQS_MAX_RECEIVE_COUNT, total);
}
