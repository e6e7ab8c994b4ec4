import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { ensureIdempotencyTable } from "@oncegate/sdk/table-setup";
import { maxReceiveCountFor } from "../lambdas/delivery/receiveLimit.ts";
import { ensureEventsTable } from "../lambdas/shared/eventsTable.ts";
import { DESTINATION_PLACEHOLDER } from "../lambdas/shared/jobQueueUrl.ts";
import { ensureMetricCountersTable } from "./metricCounters.ts";
import { ensureDeadLetterQueue, ensureQueueWithDlq } from "./sqsQueues.ts";

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

/** Each destination's delivery queue is `<prefix><destination id>`. */
export const JOB_QUEUE_PREFIX = "oncegate-jobs-";
/** The dead-letter queue every destination's queue redrives to. */
export const DEAD_LETTER_QUEUE_NAME = "oncegate-delivery-dlq";

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

/** One destination's delivery queue: what `ensureDeliveryQueues` applied. */
export interface DestinationQueue {
  queueName: string;
  queueUrl: string;
  visibilityTimeoutSeconds: number;
}

/** The local delivery queues: one per destination, one dead-letter queue for all of them. */
export interface DeliveryQueues {
  /** `ONCEGATE_DELIVERY_QUEUE_URL`: `…/oncegate-jobs-{destination}` (`jobQueueUrl`). */
  queueUrlTemplate: string;
  byDestination: ReadonlyMap<string, DestinationQueue>;
  dlqName: string;
  dlqUrl: string;
  dlqArn: string;
  maxReceiveCount: number;
}

/**
 * Creates each destination's delivery queue, `oncegate-jobs-<id>` (at most 77 characters: ids have at most 63), and
 * their dead-letter queue if missing, and sets each redrive policy's backstop as the CDK app does
 * (`maxReceiveCountFor`): attempts are counted in the event, a dead job is hastened to the DLQ by the delivery
 * Lambda. A queue per destination, each with its own worker: a destination that times out holds its own pollers,
 * never another's. Each queue's visibility outlasts its own destination's timeout.
 */
export async function ensureDeliveryQueues(
  sqs: SQSClient,
  endpoint: string,
  retryScheduleSeconds: readonly number[],
  destinations: readonly { id: string; timeoutMs: number }[],
): Promise<DeliveryQueues> {
  const maxReceiveCount = maxReceiveCountFor(retryScheduleSeconds, LOCAL_RECEIVE_LIMIT);
  const dlq = await ensureDeadLetterQueue(sqs, DEAD_LETTER_QUEUE_NAME, endpoint);
  const byDestination = new Map<string, DestinationQueue>();
  for (const destination of destinations) {
    const visibilityTimeoutSeconds = Math.ceil(destination.timeoutMs / 1000) + VISIBILITY_MARGIN_SECONDS;
    const queue = await ensureQueueWithDlq(sqs, {
      queueName: `${JOB_QUEUE_PREFIX}${destination.id}`,
      dlqName: DEAD_LETTER_QUEUE_NAME,
      maxReceiveCount,
      visibilityTimeoutSeconds,
      endpoint,
    });
    byDestination.set(destination.id, {
      queueName: queue.queueName,
      queueUrl: queue.queueUrl,
      visibilityTimeoutSeconds,
    });
  }
  // The queues' account path is the dead-letter queue's (one emulator, one account).
  const accountPath = dlq.dlqUrl.slice(0, dlq.dlqUrl.lastIndexOf("/") + 1);
  const queueUrlTemplate = `${accountPath}${JOB_QUEUE_PREFIX}${DESTINATION_PLACEHOLDER}`;
  return { queueUrlTemplate, byDestination, ...dlq, maxReceiveCount };
}
