import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { type Clock, systemClock } from "../shared/clock.ts";
import { jsonLogger, type Logger } from "../shared/logger.ts";
import type { GatewayMetric, MetricCounter } from "../shared/metrics.ts";
import type { DeliveryContext, JobResult } from "./deliverJob.ts";
import { deliverJob } from "./deliverJob.ts";
import { describeError, type JobOutcome, logDelivery } from "./deliveryLog.ts";
import type { DeliverySettingsInput } from "./deliverySettings.ts";
import { resolveDeliverySettings } from "./deliverySettings.ts";
import { attemptNumberOf, parseDeliveryJob } from "./jobMessage.ts";
import { MAX_RETRY_DELAY_SECONDS } from "./retrySchedule.ts";
import type { Stopwatch } from "./sendAttempt.ts";

/** What {@link createDeliveryHandler} is built from. */
export interface DeliveryHandlerOptions {
  /** Destinations (secrets resolved), retry schedule and throttle floor; checked once, here. */
  config: DeliverySettingsInput;
  ddb: DynamoDBClient;
  sqs: SQSClient;
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
    table: { client: options.ddb, tableName: options.eventsTable },
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    fetch: options.fetch ?? globalThis.fetch,
    stopwatch: options.stopwatch,
    faults: options.faults,
  };
  const logger = options.logger ?? jsonLogger;

  async function handleRecord(record: SQSRecord): Promise<boolean> {
    const attempt = attemptNumberOf(record.attributes);
    const job = parseDeliveryJob(record.body);
    if (job === undefined) {
      // It can never succeed: not reporting it deletes it. Its body is untrusted, so only its size is logged.
      logDelivery(logger, {
        messageId: record.messageId,
        attempt,
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
      result = await deliverJob(job, attempt, context);
      error = result.error;
    } catch (failure) {
      // DynamoDB (or an injected fault) failed: SQS delivers the job again, the consumer dedupes on the key.
      result = { outcome: "error", report: true };
      error = describeError(failure);
    }
    if (result.delaySeconds !== undefined) {
      error = (await hideFor(record, result.delaySeconds)) ?? error;
    }
    const { outcome, report, reason, statusCode, latencyMs, delaySeconds } = result;
    logDelivery(logger, {
      messageId: record.messageId,
      pk: job.pk,
      destination: job.destination,
      attempt,
      outcome,
      ...(reason !== undefined && { reason }),
      ...(statusCode !== undefined && { statusCode }),
      ...(latencyMs !== undefined && { latencyMs }),
      ...(delaySeconds !== undefined && { delaySeconds }),
      reported: report,
      ...(error !== undefined && { error }),
    });
    const metric = COUNTED_OUTCOMES[outcome];
    if (metric !== undefined) options.countMetric?.(metric);
    if (outcome === "retry") options.countRetried?.(job.destination);
    return report;
  }

  /** Returns the error when the delay could not be set: the message then reappears after the queue's timeout. */
  async function hideFor(record: SQSRecord, delaySeconds: number): Promise<string | undefined> {
    try {
      await options.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: options.queueUrl,
          ReceiptHandle: record.receiptHandle,
          VisibilityTimeout: Math.min(Math.max(0, Math.round(delaySeconds)), MAX_RETRY_DELAY_SECONDS),
        }),
      );
      return undefined;
    } catch (failure) {
      return `ChangeMessageVisibility failed: ${describeError(failure)}`;
    }
  }

  return async (event) => {
    const records = event.Records ?? [];
    const reported = await Promise.all(
      records.map((record) =>
        // A bug in one record's path must not fail the other records: report it and go on.
        handleRecord(record).catch((failure: unknown) => {
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
