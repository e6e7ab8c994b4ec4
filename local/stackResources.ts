import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { ensureIdempotencyTable } from "@oncegate/sdk/table-setup";
import { maxReceiveCountFor } from "../lambdas/delivery/receiveLimit.ts";
import { ensureEventsTable } from "../lambdas/shared/eventsTable.ts";
import { ensureMetricCountersTable } from "./metricCounters.ts";
import { ensureQueueWithDlq, type QueueWithDlq } from "./sqsQueues.ts";

/** Names of the local stack's tables. */
export const LOCAL_TABLES = {
  /** The gateway's events table (`eventsTableDefinition`). */
  events: "oncegate-events",
  /** The demo consumer's idempotency records. */
  idempotency: "demo-idempotency",
  /** One item per charge the demo consumer committed through the SDK's `db`. */
  charges: "demo_charges",
  /** Counters the demo consumer bumps outside any transaction: `receipts`, `handlerRuns`. */
  counters: "demo_counters",
  /** The gateway's metric counts per minute: the local stand-in for CloudWatch (`metricCounters.ts`). */
  metrics: "oncegate-metrics",
} as const;

/** Name of the delivery queue; its dead-letter queue is `<name>-dlq`. */
export const DELIVERY_QUEUE_NAME = "oncegate-delivery";

// A job that is reported without a new delay (a dead one, or a DynamoDB error) becomes visible again after the
// queue's visibility timeout. It must outlast one delivery (the destination's timeout, plus the writes around it),
// or a job still in hand would be received a second time; beyond that, shorter is quicker to recover locally.
const VISIBILITY_MARGIN_SECONDS = 3;

/** Creates the five tables if missing (`sharedDb`: every client sees the same ones). */
export async function ensureLocalTables(ddb: DynamoDBClient): Promise<void> {
  await Promise.all([
    ensureEventsTable(ddb, LOCAL_TABLES.events),
    // The demo tables have the idempotency table's layout (partition key `id`); its TTL attribute is simply unused.
    ensureIdempotencyTable(ddb, LOCAL_TABLES.idempotency),
    ensureIdempotencyTable(ddb, LOCAL_TABLES.charges),
    ensureIdempotencyTable(ddb, LOCAL_TABLES.counters),
    ensureMetricCountersTable(ddb, LOCAL_TABLES.metrics),
  ]);
}

/**
 * The local backstop: local timings are seconds, not hours, so it outlasts a 10-minute store outage and no long
 * Retry-After (the demo consumer sends none). A dead job then reaches the DLQ within a dozen quick receives.
 */
export const LOCAL_RECEIVE_LIMIT = { outageSurvivedSeconds: 600, longestDelaySeconds: 60, spareReceives: 4 } as const;

/** How the delivery queue is set up: what `ensureDeliveryQueue` applied. */
export interface DeliveryQueue extends QueueWithDlq {
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
}

/**
 * Creates the delivery queue and its DLQ if missing, and sets the redrive policy's backstop as the CDK app does
 * (`maxReceiveCountFor`): attempts are counted in the event, a dead job is hastened to the DLQ by the delivery Lambda.
 */
export async function ensureDeliveryQueue(
  sqs: SQSClient,
  endpoint: string,
  retryScheduleSeconds: readonly number[],
  destinationTimeoutsMs: readonly number[],
): Promise<DeliveryQueue> {
  const maxReceiveCount = maxReceiveCountFor(retryScheduleSeconds, LOCAL_RECEIVE_LIMIT);
  const longestTimeoutSeconds = Math.ceil(Math.max(0, ...destinationTimeoutsMs) / 1000);
  const visibilityTimeoutSeconds = longestTimeoutSeconds + VISIBILITY_MARGIN_SECONDS;
  const queue = await ensureQueueWithDlq(sqs, {
    queueName: DELIVERY_QUEUE_NAME,
    maxReceiveCount,
    visibilityTimeoutSeconds,
    endpoint,
  });
  return { ...queue, maxReceiveCount, visibilityTimeoutSeconds };
}
