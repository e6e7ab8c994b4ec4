/**
 * `GET /ops/resources`: what the operator CLI (`ops/target/localTarget.ts`) needs to work on the local stack with
 * the same AWS SDK code as on AWS: the emulators' endpoints and the resources' names. Read-only, on 127.0.0.1 like
 * the rest of the front; it names no secret.
 */

/** The document's `format`: bumped when a field changes meaning, so an older CLI refuses a newer stack clearly. */
export const OPS_RESOURCES_FORMAT = "oncegate-local-resources/1";

export interface OpsResources {
  format: typeof OPS_RESOURCES_FORMAT;
  region: string;
  endpoints: { dynamodb: string; sqs: string };
  eventsTable: string;
  deliveryQueueUrl: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
  retryScheduleSeconds: number[];
  peakEventsPerSecond: number;
  /** The configured destinations' ids, in configuration order. */
  destinationIds: string[];
  demoConsumer: { idempotencyTable: string; scope: string };
  /** The gateway's per-minute metric counts (`metricCounters.ts`); absent from a stack older than them. */
  metricsTable?: string;
}

/** The region every local client names (the emulators accept any; DynamoDB Local's shared database ignores it). */
export const LOCAL_REGION = "us-east-1";
