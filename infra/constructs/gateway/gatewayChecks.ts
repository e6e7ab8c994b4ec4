import { Duration } from "aws-cdk-lib";
import type { ResolvedGatewayConfig } from "../../../lambdas/shared/parseGatewayConfig.ts";
import { MAX_RETENTION } from "./destinationQueues.ts";

/** Checks of `WebhookGateway`'s props against its configuration, at synth time: each throws naming the prop. */

// The delivery function must outlive its slowest POST, plus the DynamoDB reads and writes around it.
const DELIVERY_TIMEOUT_MARGIN_MS = 5_000;

export function checkDeliveryTimeout(settings: ResolvedGatewayConfig, deliveryTimeout: Duration): void {
  const slowest = Math.max(...settings.destinations.map((destination) => destination.timeoutMs));
  if (deliveryTimeout.toMilliseconds() < slowest + DELIVERY_TIMEOUT_MARGIN_MS) {
    throw new Error(
      `deliveryTimeout: ${deliveryTimeout.toHumanString()} leaves no room for a destination's ${slowest} ms request ` +
        `timeout; give it at least ${slowest + DELIVERY_TIMEOUT_MARGIN_MS} ms`,
    );
  }
}

// SQS event sources take more than 10 messages per batch only with a batching window.
export function checkBatching(batchSize: number, batchingWindow: Duration): void {
  if (batchSize > 10 && batchingWindow.toSeconds() === 0) {
    throw new Error(`deliveryBatchSize: ${batchSize} needs a deliveryBatchingWindow (at most 10 without one)`);
  }
}

export function checkRetryWindow(settings: ResolvedGatewayConfig): void {
  const windowSeconds = settings.retryScheduleSeconds.reduce((sum, seconds) => sum + seconds, 0);
  // A job stays in the queue for its whole schedule; SQS would drop it, undelivered, after its retention.
  if (windowSeconds >= MAX_RETENTION.toSeconds()) {
    throw new Error(
      `retryScheduleSeconds: the schedule spans ${windowSeconds} s, but SQS keeps a job at most ${MAX_RETENTION.toSeconds()} s`,
    );
  }
}

// SQS stops counting a message in ApproximateAgeOfOldestMessage once it has been received three times, so an
// ordinary retry is counted until its third attempt: the first two delays must not set the alarm off.
export function defaultOldestJobThreshold(settings: ResolvedGatewayConfig, floor: Duration): Duration {
  const [first = 0, second = 0] = settings.retryScheduleSeconds;
  const scheduled = Duration.seconds(first + second + 300);
  return scheduled.toSeconds() > floor.toSeconds() ? scheduled : floor;
}
