import { ArnFormat, Duration, type RemovalPolicy, Stack } from "aws-cdk-lib";
import { Queue, QueueEncryption, RedrivePermission } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { GatewayResourceNames } from "./resourceNames.ts";

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
  /** The queues' fixed names. */
  readonly names: Pick<GatewayResourceNames, "deliveryQueue" | "deadLetterQueue">;
  /** What deleting the stack (or replacing a queue) does to the queues and the jobs in them. */
  readonly removalPolicy: RemovalPolicy;
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
 * Retained like the events table by default: `cdk destroy` would otherwise drop every pending and dead job.
 * Only the delivery queue may use the dead-letter queue (`RedriveAllowPolicy` by queue): its ARN is built from its
 * fixed name, since a reference to the queue itself would make the two queues depend on each other.
 */
export function newDeliveryQueues(scope: Construct, props: DeliveryQueuesProps): DeliveryQueues {
  const deliveryQueueArn = Stack.of(scope).formatArn({
    service: "sqs",
    resource: props.names.deliveryQueue,
    arnFormat: ArnFormat.NO_RESOURCE_NAME,
  });
  const deadLetterQueue = new Queue(scope, "DeadLetterQueue", {
    queueName: props.names.deadLetterQueue,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: MAX_RETENTION,
    removalPolicy: props.removalPolicy,
    redriveAllowPolicy: {
      redrivePermission: RedrivePermission.BY_QUEUE,
      sourceQueues: [Queue.fromQueueArn(scope, "DeliveryQueueByName", deliveryQueueArn)],
    },
  });
  const visibilitySeconds =
    VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT * props.deliveryTimeout.toSeconds() + props.batchingWindow.toSeconds();
  const queue = new Queue(scope, "DeliveryQueue", {
    queueName: props.names.deliveryQueue,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: MAX_RETENTION,
    visibilityTimeout: Duration.seconds(visibilitySeconds),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    removalPolicy: props.removalPolicy,
  });
  return { queue, deadLetterQueue };
}
