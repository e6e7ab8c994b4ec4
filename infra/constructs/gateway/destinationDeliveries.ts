import { Duration, type RemovalPolicy } from "aws-cdk-lib";
import type { EventSourceMapping, IFunction } from "aws-cdk-lib/aws-lambda";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { ResolvedDestinationConfig } from "../../../lambdas/shared/parseGatewayConfig.ts";
import { pascalCase } from "../names.ts";
import { newDestinationQueues } from "./destinationQueues.ts";

/** One destination's delivery path: its job queue, its dead-letter queue, and the event source that polls the queue. */
export interface DestinationDelivery {
  readonly id: string;
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly eventSource: EventSourceMapping;
}

export interface DestinationDeliveriesProps {
  readonly destinations: readonly ResolvedDestinationConfig[];
  /** The start of every queue's name (`gatewayResourceNames`). */
  readonly queueBase: string;
  /** The one delivery function every event source invokes. */
  readonly delivery: IFunction;
  readonly deliveryTimeout: Duration;
  readonly batchSize: number;
  /** The event sources' batching window; none delivers jobs as they arrive. */
  readonly batchingWindow?: Duration;
  readonly maxReceiveCount: number;
  /** A destination's concurrency when its configuration sets no `maxConcurrency`. */
  readonly defaultMaxConcurrency: number;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Per destination, its queues ({@link newDestinationQueues}) and an event source mapping on the one delivery
 * function: each polls its own queue with its own concurrency, so a destination that is slow or down holds at most
 * its own share of the deliveries, and pausing it (disabling its mapping) leaves the others running.
 */
export function newDestinationDeliveries(scope: Construct, props: DestinationDeliveriesProps): DestinationDelivery[] {
  return props.destinations.map((destination) => {
    const { queue, deadLetterQueue } = newDestinationQueues(scope, {
      destination: destination.id,
      queueBase: props.queueBase,
      deliveryTimeout: props.deliveryTimeout,
      batchingWindow: props.batchingWindow ?? Duration.seconds(0),
      maxReceiveCount: props.maxReceiveCount,
      removalPolicy: props.removalPolicy,
    });
    const eventSource = props.delivery.addEventSourceMapping(`DeliveryJobs${pascalCase(destination.id)}`, {
      eventSourceArn: queue.queueArn,
      batchSize: props.batchSize,
      maxBatchingWindow: props.batchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency: destination.maxConcurrency ?? props.defaultMaxConcurrency,
    });
    return { id: destination.id, queue, deadLetterQueue, eventSource };
  });
}
