/**
 * Names of the environment variables the Lambdas read. The CDK app sets them and the local stack
 * sets them: one list, so the two can never disagree.
 */
export const ENV = {
  /** The gateway configuration as JSON (see `GatewayConfig`); secrets are referenced, never inlined. */
  config: "ONCEGATE_CONFIG",
  /** Name of the events table. */
  eventsTable: "ONCEGATE_EVENTS_TABLE",
  /** URL of the delivery queue. */
  deliveryQueueUrl: "ONCEGATE_DELIVERY_QUEUE_URL",
  /** URL of the delivery queue's dead-letter queue: the sweeper's only (it reads the dead jobs, never deletes one). */
  deadLetterQueueUrl: "ONCEGATE_DEAD_LETTER_QUEUE_URL",
  /** Name of the body bucket: bodies above the inline limit, as content-addressed objects (`s3BodyStore`). */
  bodyBucket: "ONCEGATE_BODY_BUCKET",
  /** Local override of the retry schedule: comma-separated seconds, e.g. `1,2,4`. */
  retrySchedule: "ONCEGATE_RETRY_SCHEDULE",
} as const;
