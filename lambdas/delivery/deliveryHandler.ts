import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { newBodyS3Client } from "../shared/body/bodyS3Client.ts";
import { type Clock, systemClock } from "../shared/clock.ts";
import { jobQueueUrl } from "../shared/jobQueueUrl.ts";
import { jsonLogger, type Logger } from "../shared/logger.ts";
import type { GatewayMetric, MetricCounter } from "../shared/metrics.ts";
import type { DeliveryContext, JobResult } from "./deliverJob.ts";
import { deliverJob } from "./deliverJob.ts";
import { describeError, type JobOutcome, logDelivery } from "./deliveryLog.ts";
import type { DeliverySettingsInput } from "./deliverySettings.ts";
import { resolveDeliverySettings } from "./deliverySettings.ts";
import { createDestinationGate } from "./destinationGate.ts";
import { infrastructureBackoffSeconds } from "./infrastructureBackoff.ts";
import { parseDeliveryJob, receiveCountOf } from "./jobMessage.ts";
import { maxReceiveCountFor } from "./receiveLimit.ts";
import type { Stopwatch } from "./sendAttempt.ts";
import { visibilityFor } from "./visibilityBudget.ts";

/** What {@link createDeliveryHandler} is built from. */
export interface DeliveryHandlerOptions {
  /** Destinations (secrets resolved), retry schedule, throttle floor and peak rate; checked once, here. */
  config: DeliverySettingsInput;
  ddb: DynamoDBClient;
  sqs: SQSClient;
  /** The body bucket's client (an S3 body's reference names its bucket). @default `newBodyS3Client()` */
  s3?: S3Client;
  eventsTable: string;
  /** The delivery queue, for `ChangeMessageVisibility`. */
  queueUrl: string;
  /** @default the system clock */
  clock?: Clock;
  /** Uniform in [0, 1), for the retry jitter. @default Math.random */
  random?: () => number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** @default one JSON line per call on stdout */
  logger?: Logger;
  /** Latency source. @default performance.now */
  stopwatch?: Stopwatch;
  /** Test hooks: `afterPost` runs between the POST and recording it. */
  faults?: { afterPost?: () => void | Promise<void> };
  /** Counts `Delivered`, `Failed` and `Dead` (the dashboard's metrics). @default none; inside Lambda, EMF lines */
  countMetric?: MetricCounter;
  /** Counts a retried job under its destination (the retry alarms' metric). @default none; inside Lambda, EMF lines */
  countRetried?: (destination: string) => void;
  /** Counts a circuit this container opened (the breaker alarms' metric). @default none; inside Lambda, EMF lines */
  countCircuitOpened?: (destination: string) => void;
  /** The queue's `maxReceiveCount`. @default `maxReceiveCountFor(schedule)`, what the stack and the local stack set */
  maxReceiveCount?: number;
}

/** The outcomes the dashboard counts; the others (retry, skipped, dropped, error) are in the log lines only. */
const COUNTED_OUTCOMES: Partial<Record<JobOutcome, GatewayMetric>> = {
  delivered: "Delivered",
  failed: "Failed",
  dead: "Dead",
};

/** The delivery Lambda: SQS batch in, partial batch response out. */
export type DeliveryHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;

/**
 * Builds the delivery Lambda's handler. Each record of a batch is a `DeliveryJob`; records run concurrently and
 * independently, and only those to retry (or to move to the dead-letter queue) are reported in
 * `batchItemFailures`. A retried record is first hidden for the policy's delay with `ChangeMessageVisibility`.
 *
 * @throws Error when the configuration is invalid: at cold start, so the whole batch fails loudly.
 */
export function createDeliveryHandler(options: DeliveryHandlerOptions): DeliveryHandler {
  const settings = resolveDeliverySettings(options.config);
  const context: DeliveryContext = {
    settings,
    maxReceiveCount: options.maxReceiveCount ?? maxReceiveCountFor(settings.retryScheduleSeconds),
    table: { client: options.ddb, tableName: options.eventsTable, shards: settings.indexShards },
    s3: options.s3 ?? newBodyS3Client(),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    fetch: options.fetch ?? globalThis.fetch,
    stopwatch: options.stopwatch,
    faults: options.faults,
  };
  const logger = options.logger ?? jsonLogger;
  context.gate = createDestinationGate({
    table: context.table,
    clock: context.clock,
    breakers: new Map([...settings.destinations.values()].map(({ id, circuitBreaker }) => [id, circuitBreaker])),
    logger,
    countOpened: options.countCircuitOpened,
  });

  const clock = context.clock;

  async function handleRecord(record: SQSRecord, invokedAtMs: number): Promise<boolean> {
    const receiveCount = receiveCountOf(record.attributes);
    const job = parseDeliveryJob(record.body);
    if (job === undefined) {
      // It can never succeed: not reporting it deletes it. Its body is untrusted, so only its size is logged.
      logDelivery(logger, {
        messageId: record.messageId,
        receiveCount,
        outcome: "dropped",
        reason: "malformed_job",
        reported: false,
        error: `body of ${record.body.length} characters is not a DeliveryJob`,
      });
      return false;
    }
    let result: JobResult;
    let error: string | undefined;
    try {
      result = await deliverJob(job, { messageId: record.messageId, receiveCount }, context);
      error = result.error;
    } catch (failure) {
      // DynamoDB, Secrets Manager (or an injected fault) failed. No attempt is counted (attempts live in the
      // event, which could not be written): back off, doubling with the receives, and let SQS deliver it again.
      result = {
        outcome: "error",
        report: true,
        delaySeconds: infrastructureBackoffSeconds(receiveCount, context.random),
      };
      error = describeError(failure);
    }
    let visibilitySeconds: number | undefined;
    if (result.delaySeconds !== undefined) {
      // SQS counts its 12 hours from the receive: ask for what is left of them, the rest is served next receive.
      visibilitySeconds = visibilityFor(result.delaySeconds, (clock.nowMs() - invokedAtMs) / 1000);
      const hideError = await hideFor(record, job.destination, visibilitySeconds);
      if (hideError !== undefined) error = error === undefined ? hideError : `${error}; ${hideError}`;
    }
    const { outcome, report, reason, statusCode, latencyMs, delaySeconds, attempt } = result;
    logDelivery(logger, {
      messageId: record.messageId,
      pk: job.pk,
      destination: job.destination,
      receiveCount,
      ...(attempt !== undefined && { attempt }),
      outcome,
      ...(reason !== undefined && { reason }),
      ...(statusCode !== undefined && { statusCode }),
      ...(latencyMs !== undefined && { latencyMs }),
      ...(delaySeconds !== undefined && { delaySeconds }),
      ...(visibilitySeconds !== undefined && visibilitySeconds !== delaySeconds && { visibilitySeconds }),
      reported: report,
      ...(error !== undefined && { error }),
    });
    const metric = COUNTED_OUTCOMES[outcome];
    if (metric !== undefined) options.countMetric?.(metric);
    if (outcome === "retry") options.countRetried?.(job.destination);
    return report;
  }

  /**
   * Returns the error when the visibility could not be set: the message then reappears after the queue's timeout,
   * and its next receive, finding the attempt not yet due (`nextAttemptAtMs`), hides it again without an attempt.
   */
  async function hideFor(
    record: SQSRecord,
    destination: string,
    visibilitySeconds: number,
  ): Promise<string | undefined> {
    try {
      await options.sqs.send(
        new ChangeMessageVisibilityCommand({
          // The queue the job was received from: its destination's (one shared queue, or one per destination).
          QueueUrl: jobQueueUrl(options.queueUrl, destination),
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: visibilitySeconds,
        }),
      );
      return undefined;
    } catch (failure) {
      return `ChangeMessageVisibility failed: ${describeError(failure)}`;
    }
  }

  return async (event) => {
    // The receive happened before this instant; visibilityBudget allows for the gap.
    const invokedAtMs = clock.nowMs();
    const records = event.Records ?? [];
    const reported = await Promise.all(
      records.map((record) =>
        // A bug in one record's path must not fail the other records: report it and go on.
        handleRecord(record, invokedAtMs).catch((failure: unknown) => {
          logger({
            level: "error",
            msg: "oncegate.delivery",
            messageId: record.messageId,
            error: describeError(failure),
          });
          return true;
        }),
      ),
    );
    return {
      batchItemFailures: records
        .filter((_, index) => reported[index])
        .map((record) => ({ itemIdentifier: record.messageId })),
    };
  };
}
