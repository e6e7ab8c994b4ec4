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
 *   + maxAttempts × extra receives     a delay longer than one receive may hide a message (12 h, less the margin)
 *                                      is served over several receives; the longest is a honoured Retry-After
 *                                      (24 h: 2 more receives)
 *   + outageReceives                   receives burnt while DynamoDB or Secrets Manager is down, backing off
 *                                      10 s → 15 min: an outage of OUTAGE_SURVIVED_SECONDS (24 h)
 *   + DUPLICATE_RECEIVES               early or duplicate receives (a visibility change that failed, a redrive)
 *
 * With the default schedule: 8 + 8 × 2 + 126 + 16 = 166, far under SQS's limit of 1 000. A job that dies keeps
 * being received until then (each receive hastens it, visibility 0, and costs one GetItem), so the backstop is
 * the price of surviving a day of outage; a smaller one would strand jobs sooner.
 */

/** Length of an infrastructure outage every job in flight survives without reaching the dead-letter queue. */
export const OUTAGE_SURVIVED_SECONDS = 24 * 3600;
const DUPLICATE_RECEIVES = 16;

/** What the backstop must outlast; the defaults are AWS's. A local stack with short timings asks for less. */
export interface ReceiveLimitOptions {
  /** @default OUTAGE_SURVIVED_SECONDS (24 h) */
  outageSurvivedSeconds?: number;
  /** The longest single wait a job may be given. @default 24 h, the longest honoured Retry-After */
  longestDelaySeconds?: number;
  /** @default 16 */
  spareReceives?: number;
}
/** SQS's upper bound for a RedrivePolicy's maxReceiveCount. */
export const SQS_MAX_RECEIVE_COUNT = 1000;

/**
 * Receives a wait of `seconds` takes beyond the attempt's own, in the worst case: it is served in hides of at most
 * one receive's budget (at least 11 h: 12 h less the receive-to-invoke margin and the invocation), the first one
 * asked on the attempt's own receive.
 */
function extraReceivesFor(seconds: number): number {
  return Math.max(0, Math.ceil(seconds / (SQS_MAX_VISIBILITY_SECONDS - 3600)) - 1);
}

function outageReceives(outageSeconds: number): number {
  let receives = 0;
  let waited = 0;
  for (let delay = INFRASTRUCTURE_BACKOFF_BASE_SECONDS; waited < outageSeconds; receives++) {
    // The jitter may shorten a wait by 20 %: count with the shortest.
    waited += delay * 0.8;
    delay = Math.min(INFRASTRUCTURE_BACKOFF_CAP_SECONDS, delay * 2);
  }
  return receives;
}

/** `maxReceiveCount` for a queue whose jobs follow `schedule` (see the formula above). */
export function maxReceiveCountFor(schedule: readonly number[], options: ReceiveLimitOptions = {}): number {
  const attempts = maxAttempts(schedule);
  const longestDelay =
    options.longestDelaySeconds ?? Math.max(MAX_HONOURED_RETRY_AFTER_SECONDS, MAX_RETRY_DELAY_SECONDS);
  const outage = outageReceives(options.outageSurvivedSeconds ?? OUTAGE_SURVIVED_SECONDS);
  const total =
    attempts + attempts * extraReceivesFor(longestDelay) + outage + (options.spareReceives ?? DUPLICATE_RECEIVES);
  return Math.min(SQS_MAX_RECEIVE_COUNT, total);
}
