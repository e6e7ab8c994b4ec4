import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { createDeliveryHandler } from "../../lambdas/delivery/deliveryHandler.ts";
import type { Logger } from "../../lambdas/shared/logger.ts";
import { localCredentials } from "../../local/dynamoDbLocal.ts";
import { pollOnce } from "../../local/sqsEventSource.ts";
import { localSqsClient } from "../../local/sqsQueues.ts";
import { invariant } from "../benchRun.ts";
import { type CapacityTally, capacityPerUnit, countCapacity } from "../consumedCapacity.ts";
import { countRequests, type RequestsPerUnit, requestsPerUnit } from "../requestCounter.ts";
import { summarize } from "../stats.ts";
import { storedItemBytes } from "./capacityPass.ts";
import { DESTINATION_ID, type IntakeSetup, type IntakeUnderTest } from "./intakeContenders.ts";
import { countEventsByStatus } from "./storedEvents.ts";

/** What one delivery attempt costs the delivery Lambda, by outcome. */
export interface AttemptCost {
  attempts: number;
  /** DynamoDB and SQS requests the handler made (the event source's own receive and delete are not its calls). */
  requests: RequestsPerUnit;
  capacity: CapacityTally;
  /** Handler duration of a one-record batch, the consumer answering at once (ms). */
  handlerMsP50: number;
  handlerMsMean: number;
  /** Bytes of the JSON log line the handler writes per record. */
  logBytesPerAttempt: number;
}

export interface DeliveryPassResult {
  /** An attempt the consumer answered 503: recorded, then the message hidden for the retry delay. */
  retriedAttempt: AttemptCost;
  /** An attempt the consumer answered 200, settling the event DELIVERED. */
  deliveredAttempt: AttemptCost;
  /** Size of a delivered event's state item after both attempts. */
  itemBytesAfter: number;
}

const DRAIN_DEADLINE_MS = 30_000;

/**
 * The real delivery handler for the benchmarks' one destination, its consumer stubbed (no network): it answers
 * `consumerStatus()` at once. Retries are due one second later, so retried jobs come back within a pass.
 */
export function stubbedDeliveryHandler(options: {
  setup: Pick<IntakeSetup, "signingSecret">;
  ddb: DynamoDBClient;
  sqs: SQSClient;
  /** The body bucket's client, for bodies above the inline limit. */
  s3?: S3Client;
  eventsTable: string;
  queueUrl: string;
  consumerStatus: () => number;
  logger: Logger;
}) {
  return createDeliveryHandler({
    config: {
      destinations: [
        {
          id: DESTINATION_ID,
          url: "https://consumer.example.com/webhooks/orders",
          signingSecrets: [options.setup.signingSecret],
        },
      ],
      retryScheduleSeconds: [1, 1, 1, 1, 1, 1, 1],
    },
    ddb: options.ddb,
    sqs: options.sqs,
    ...(options.s3 === undefined ? {} : { s3: options.s3 }),
    eventsTable: options.eventsTable,
    queueUrl: options.queueUrl,
    random: () => 0.5,
    fetch: async () => {
      const status = options.consumerStatus();
      return new Response(status === 200 ? '{"ok":true}' : "busy", { status });
    },
    logger: options.logger,
  });
}

/**
 * Runs the delivery Lambda over the jobs the capacity pass left on the queue, one record per batch, with the
 * consumer's answer stubbed (no network): every job is first answered 503 (a retry), then 200 (delivered).
 * Counts the handler's requests and capacity per attempt. Untimed in the benchmark's sense: durations are noted
 * for the cost model only.
 */
export async function deliveryPass(
  accepted: IntakeUnderTest,
  setup: IntakeSetup,
  endpoints: { dynamoDb: string; sqs: string },
): Promise<DeliveryPassResult> {
  const jobs = accepted.acceptedIds.length;
  const ddb = new DynamoDBClient({ endpoint: endpoints.dynamoDb, region: "us-east-1", credentials: localCredentials });
  const sqs = localSqsClient(endpoints.sqs);
  const eventSource = localSqsClient(endpoints.sqs);
  const ddbCalls = countRequests(ddb);
  const sqsCalls = countRequests(sqs);
  const capacity = countCapacity(ddb);
  let consumerStatus = 503;
  let logBytes = 0;
  const handler = stubbedDeliveryHandler({
    setup,
    ddb,
    sqs,
    eventsTable: accepted.eventsTable,
    queueUrl: accepted.queueUrl,
    consumerStatus: () => consumerStatus,
    logger: (line) => {
      logBytes += Buffer.byteLength(JSON.stringify(line), "utf8");
    },
  });
  const attempt = async (status: number): Promise<AttemptCost> => {
    consumerStatus = status;
    logBytes = 0;
    const durations: number[] = [];
    const timed = async (event: SQSEvent) => {
      const started = performance.now();
      const response = await handler(event);
      durations.push(performance.now() - started);
      return response;
    };
    const deadline = Date.now() + DRAIN_DEADLINE_MS;
    let handled = 0;
    let reported = 0;
    while (handled < jobs && Date.now() < deadline) {
      const poll = await pollOnce({
        sqs: eventSource,
        queueUrl: accepted.queueUrl,
        handler: timed,
        maxMessages: 1,
        waitTimeSeconds: 1,
      });
      handled += poll.received.length;
      reported += poll.failed.length;
    }
    invariant(handled === jobs, `the delivery pass handled ${handled} of ${jobs} jobs (consumer answering ${status})`);
    const expectedReported = status === 200 ? 0 : jobs;
    invariant(reported === expectedReported, `${reported} of ${jobs} jobs were kept for a retry after a ${status}`);
    const latency = summarize(durations);
    const calls = [...ddbCalls.take(), ...sqsCalls.take()];
    return {
      attempts: jobs,
      requests: requestsPerUnit(calls, jobs),
      capacity: capacityPerUnit(capacity.take(), jobs),
      handlerMsP50: latency.p50,
      handlerMsMean: latency.mean,
      logBytesPerAttempt: logBytes / jobs,
    };
  };
  try {
    const retriedAttempt = await attempt(503);
    const deliveredAttempt = await attempt(200);
    const delivered = (await countEventsByStatus(endpoints.dynamoDb, accepted.eventsTable)).DELIVERED ?? 0;
    invariant(delivered === jobs, `${delivered} of ${jobs} events are DELIVERED after the delivery pass`);
    const itemBytesAfter = await storedItemBytes(
      endpoints.dynamoDb,
      accepted.eventsTable,
      accepted.acceptedIds[0] ?? "",
    );
    return { retriedAttempt, deliveredAttempt, itemBytesAfter };
  } finally {
    for (const client of [ddb, sqs, eventSource]) client.destroy();
  }
}
