import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { GatewayCountSource } from "../metrics/gatewayCounts.ts";

/** The gateway's resources an operator works on, by name: the same on AWS and on the local stack. */
export interface GatewayResources {
  eventsTable: string;
  /**
   * The job queues: one shared queue's URL, or a template with `{destination}` in the queue's name naming each
   * destination's own (`jobQueueUrl`).
   */
  deliveryQueueUrl: string;
  /**
   * The dead-letter queues, as {@link deliveryQueueUrl}: a template on AWS (each destination's job queue has its own
   * DLQ, the stack's `DeadLetterQueueUrl`), one shared queue's URL on the local stack. Read through
   * `deadLetterQueuesOfTarget`, never as it is: a template is no queue's URL.
   */
  deadLetterQueueUrl: string;
  /** The dead-letter queues' ARN (what a message move task names): a template exactly when the URL is one. */
  deadLetterQueueArn: string;
  /** The delivery Lambda's retry schedule: sizes the round a redrive opens (`markRedriven`). */
  retryScheduleSeconds: readonly number[];
  /** The gateway's `peakEventsPerSecond`: how its indexes are sharded, which readers and writers must agree on. */
  peakEventsPerSecond: number;
  /**
   * The configured destinations' ids: an event can be replayed to one it was never sent to (an UNROUTED event, or
   * a destination added since) only if the delivery knows it, and they name the dead-letter queues a template
   * stands for. Absent from a stack deployed before it was an output.
   */
  destinationIds?: readonly string[];
}

/** The demo consumer's idempotency records: what `keys` defaults to on the local target. */
export interface DemoConsumerResources {
  idempotencyTable: string;
  scope: string;
}

/**
 * Where the operator library acts: clients already pointed at the right endpoints and credentials, and the
 * resources' names. Built by `localTarget` or `stackTarget`; everything after that is the same code on both.
 */
export interface OperatorTarget {
  kind: "local" | "stack";
  /** The local stack's URL or the stack's name, for messages. */
  label: string;
  region: string;
  ddb: DynamoDBClient;
  sqs: SQSClient;
  /** For bodies kept in the body bucket (`events show --payload`); the bucket is named in each event's state. */
  s3: S3Client;
  resources: GatewayResources;
  /** Present when the target runs the demo consumer and says where its records are. */
  demoConsumer?: DemoConsumerResources;
  /** The gateway's metric counts over time (CloudWatch on AWS), when the target can read them. */
  metrics?: GatewayCountSource;
  /** Whether SQS's message move task (`StartMessageMoveTask`) exists there: not on the local emulator. */
  supportsMoveTask: boolean;
  /** Lambda's API, on a stack whose event source mappings it names ({@link eventSources}). */
  lambda?: LambdaClient;
  /**
   * Each destination's event source mapping on the delivery function, by id (the stack's `DeliveryEventSources`):
   * what `destinations pause` disables. Absent on the local stack (its workers read the pause themselves) and on a
   * stack deployed before that output.
   */
  eventSources?: ReadonlyMap<string, string>;
  /** Who the operator is, for audit entries: the caller's ARN on AWS, a fixed name locally. */
  identity(): Promise<string>;
  /** Releases the clients' sockets. */
  close(): void;
}
