import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";

/** SQS keeps a message at most 14 days. */
export const MAX_RETENTION = Duration.days(14);

/**
 * AWS guidance for an SQS event source: the visibility timeout at least six times the function timeout, plus the
 * batching window, so a batch whose invocation is retried after a throttle is not already visible again.
 */
export const VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT = 6;

export interface DeliveryQueuesProps {
  /** The delivery function's timeout. */
  readonly deliveryTimeout: Duration;
  /** The event source's batching window (zero when there is none). */
  readonly batchingWindow: Duration;
  /** Receives before a job moves to the dead-letter queue: a backstop, `maxReceiveCountFor(schedule)`. */
  readonly maxReceiveCount: number;
}

export interface DeliveryQueues {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

/**
 * The delivery queue (one message per event × destination) and its dead-letter queue. Both are encrypted with
 * SQS-managed keys (SSE-SQS: no KMS key to grant to the functions) and refuse plain-HTTP requests. Both keep
 * messages the longest SQS allows: a job spends its whole retry schedule (about 28 hours by default) in the queue,
 * and SQS keeps a dead job's first enqueue time, so its time in the dead-letter queue is 14 days minus that.
 * Deleted with the stack: a job is only `{ pk, destination }`, and the retained events table records every
 * destination's status, so nothing is lost with them.
 */
export function newDeliveryQueues(scope: Construct, props: DeliveryQueuesProps): DeliveryQueues {
  const deadLetterQueue = new Queue(scope, "DeadLetterQueue", {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: MAX_RETENTION,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const visibilitySeconds =
    VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT * props.deliveryTimeout.toSeconds() + props.batchingWindow.toSeconds();
  const queue = new Queue(scope, "DeliveryQueue", {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: MAX_RETENTION,
    visibilityTimeout: Duration.seconds(visibilitySeconds),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  return { queue, deadLetterQueue };
}
