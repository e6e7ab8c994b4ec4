import { ArnFormat, Duration, type RemovalPolicy, Stack } from "aws-cdk-lib";
import { Queue, QueueEncryption, RedrivePermission } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { pascalCase } from "../names.ts";
import { deadLetterQueueName, jobQueueName } from "./resourceNames.ts";

/** SQS keeps a message at most 14 days: also the longest a paused destination's jobs can wait. */
export const MAX_RETENTION = Duration.days(14);

/**
 * AWS guidance for an SQS event source: the visibility timeout at least six times the function timeout, plus the
 * batching window, so a batch whose invocation is retried after a throttle is not already visible again.
 */
export const VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT = 6;

export interface DestinationQueuesProps {
  /** The destination's id: its queues are `<queueBase>-<id>` and `<queueBase>-<id>-dlq`. */
  readonly destination: string;
  /** The start of every queue's name (`gatewayResourceNames`). */
  readonly queueBase: string;
  /** The delivery function's timeout. */
  readonly deliveryTimeout: Duration;
  /** The event source's batching window (zero when there is none). */
  readonly batchingWindow: Duration;
  /** Receives before a job moves to the dead-letter queue: a backstop, `maxReceiveCountFor(schedule)`. */
  readonly maxReceiveCount: number;
  /** What deleting the stack (or replacing a queue) does to the queues and the jobs in them. */
  readonly removalPolicy: RemovalPolicy;
}

/** One destination's job queue and its dead-letter queue. */
export interface DestinationQueues {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
}

/**
 * A destination's job queue (one message per event it receives) and its dead-letter queue: a destination that is
 * slow or down fills its own queue only, and its event source's concurrency is its own. Both are encrypted with
 * SQS-managed keys (SSE-SQS: no KMS key to grant to the functions) and refuse plain-HTTP requests. Both keep
 * messages the longest SQS allows: a job spends its whole retry schedule (about 28 hours by default), or a pause of
 * its destination, in the queue, and SQS keeps a dead job's first enqueue time, so its time in the dead-letter queue
 * is 14 days minus that. Retained like the events table by default: `cdk destroy` would otherwise drop every pending
 * and dead job. Only the destination's job queue may use its dead-letter queue (`RedriveAllowPolicy` by queue): its
 * ARN is built from its fixed name, since a reference to the queue itself would make the two queues depend on each
 * other.
 */
export function newDestinationQueues(scope: Construct, props: DestinationQueuesProps): DestinationQueues {
  const id = pascalCase(props.destination);
  const queueName = jobQueueName(props.queueBase, props.destination);
  const queueArn = Stack.of(scope).formatArn({
    service: "sqs",
    resource: queueName,
    arnFormat: ArnFormat.NO_RESOURCE_NAME,
  });
  const deadLetterQueue = new Queue(scope, `DeadLetterQueue${id}`, {
    queueName: deadLetterQueueName(props.queueBase, props.destination),
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: MAX_RETENTION,
    removalPolicy: props.removalPolicy,
    redriveAllowPolicy: {
      redrivePermission: RedrivePermission.BY_QUEUE,
      sourceQueues: [Queue.fromQueueArn(scope, `DeliveryQueueByName${id}`, queueArn)],
    },
  });
  const visibilitySeconds =
    VISIBILITY_TIMEOUT_PER_FUNCTION_TIMEOUT * props.deliveryTimeout.toSeconds() + props.batchingWindow.toSeconds();
  const queue = new Queue(scope, `DeliveryQueue${id}`, {
    queueName,
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: MAX_RETENTION,
    visibilityTimeout: Duration.seconds(visibilitySeconds),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    removalPolicy: props.removalPolicy,
  });
  return { queue, deadLetterQueue };
}
