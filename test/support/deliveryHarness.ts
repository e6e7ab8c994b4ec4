import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll } from "@jest/globals";
import type { SQSEvent } from "aws-lambda";
import type { DeliveryHandler, DeliveryHandlerOptions } from "../../lambdas/delivery/deliveryHandler.ts";
import { createDeliveryHandler } from "../../lambdas/delivery/deliveryHandler.ts";
import type { DeliveryDestinationInput } from "../../lambdas/delivery/deliverySettings.ts";
import type { DeliveryJob } from "../../lambdas/shared/eventRecord.ts";
import { createEventsTable, newSigningSecret } from "./deliveryEvents.ts";
import { deleteTable, localClient } from "./dynamoDbTables.ts";
import { createQueueWithDlq, type LocalSqs, type QueueWithDlq, startLocalSqs } from "./fauxqs.ts";
import { type ScriptedConsumer, startScriptedConsumer } from "./scriptedConsumer.ts";

/** DynamoDB Local with a fresh events table, the SQS emulator, and the log lines handlers wrote. */
export interface DeliveryHarness {
  ddb: DynamoDBClient;
  eventsTable: string;
  local: LocalSqs;
  logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function startDeliveryHarness(): Promise<DeliveryHarness> {
  const ddb = localClient();
  const eventsTable = await createEventsTable(ddb);
  const local = await startLocalSqs();
  return {
    ddb,
    eventsTable,
    local,
    logs: [],
    async stop() {
      await local.stop();
      await deleteTable(ddb, eventsTable);
      ddb.destroy();
    },
  };
}

/** A destination posting to `url`, with one fresh signing secret unless given. */
export function destination(id: string, url: string, extra: Partial<DeliveryDestinationInput> = {}) {
  return { id, url, signingSecrets: [newSigningSecret()], timeoutMs: 2_000, ...extra };
}

/**
 * A delivery handler on the harness: jitter pinned to none (`random` 0.5), logs collected, everything else
 * from `options` (destinations and schedule at least).
 */
export function harnessHandler(
  harness: DeliveryHarness,
  queueUrl: string,
  options: Partial<DeliveryHandlerOptions> & Pick<DeliveryHandlerOptions, "config">,
): DeliveryHandler {
  return createDeliveryHandler({
    ddb: harness.ddb,
    sqs: harness.local.sqs,
    eventsTable: harness.eventsTable,
    queueUrl,
    random: () => 0.5,
    logger: (line) => harness.logs.push(line),
    ...options,
  });
}

/** An SQS event of delivery jobs, each received `attempt` times so far (its ApproximateReceiveCount). */
export function jobEvent(...jobs: { job: DeliveryJob | string; attempt?: number; messageId?: string }[]): SQSEvent {
  return {
    Records: jobs.map(({ job, attempt = 1, messageId = randomUUID() }) => ({
      messageId,
      receiptHandle: `local-${messageId}`,
      body: typeof job === "string" ? job : JSON.stringify(job),
      attributes: {
        ApproximateReceiveCount: String(attempt),
        SentTimestamp: "0",
        SenderId: "local",
        ApproximateFirstReceiveTimestamp: "0",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:delivery",
      awsRegion: "us-east-1",
    })),
  };
}

/**
 * A delivery queue as the stack sets it up: its RedrivePolicy moves a job to the DLQ after `maxReceiveCount`
 * (= `maxAttempts(schedule)`) receives. A job reported failed without a new delay (a dead one) stays hidden for
 * the visibility timeout, 1 s here so tests do not wait.
 */
export function createDeliveryQueue(harness: DeliveryHarness, maxReceiveCount: number): Promise<QueueWithDlq> {
  return createQueueWithDlq(harness.local.sqs, { prefix: "delivery", maxReceiveCount, visibilityTimeoutSeconds: 1 });
}

/** Puts a job on a queue the way the intake does; returns its message id. */
export async function sendJob(harness: DeliveryHarness, queueUrl: string, job: DeliveryJob): Promise<string> {
  const out = await harness.local.sqs.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(job) }),
  );
  return out.MessageId ?? "";
}

/**
 * The set-up most delivery tests share: a harness, a scripted consumer and one delivery queue whose DLQ takes a job
 * after `maxReceiveCount` receives, started before the file's tests and stopped after. Registers Jest hooks, so call
 * it at the top of the file; read the parts inside tests.
 */
export function deliverySuite(maxReceiveCount: number) {
  const parts: { harness?: DeliveryHarness; consumer?: ScriptedConsumer; queue?: QueueWithDlq } = {};
  beforeAll(async () => {
    parts.harness = await startDeliveryHarness();
    parts.consumer = await startScriptedConsumer();
    parts.queue = await createDeliveryQueue(parts.harness, maxReceiveCount);
  });
  afterAll(async () => {
    await parts.consumer?.close();
    await parts.harness?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("deliverySuite: read its parts inside tests, after beforeAll");
    return value;
  };
  return {
    get harness() {
      return started(parts.harness);
    },
    get consumer() {
      return started(parts.consumer);
    },
    get queueUrl() {
      return started(parts.queue).queueUrl;
    },
    /** The queue and its dead-letter queue. */
    get queue() {
      return started(parts.queue);
    },
  };
}
