import { randomUUID } from "node:crypto";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { createIntakeHandler } from "../../lambdas/intake/handler.ts";
import { ensureEventsTable } from "../../lambdas/shared/eventsTable.ts";
import { createSecretResolver } from "../../lambdas/shared/secrets.ts";
import { createSweeper } from "../../lambdas/sweeper/handler.ts";
import { localCredentials } from "../../local/dynamoDbLocal.ts";
import { localBodyBucketAt } from "../../local/services/bodyBucket.ts";
import { pollOnce } from "../../local/sqsEventSource.ts";
import { ensureQueueWithDlq, localSqsClient } from "../../local/sqsQueues.ts";
import { invariant } from "../benchRun.ts";
import { type CapacityTally, capacityPerUnit, countCapacity } from "../consumedCapacity.ts";
import { itemSizeBytes } from "../dynamoItemSize.ts";
import { stubbedDeliveryHandler } from "../intake/deliveryPass.ts";
import { DESTINATION_ID, intakeSetup } from "../intake/intakeContenders.ts";
import { PROVIDER, stripeDelivery, stripeEventBody } from "../intake/stripeEvents.ts";
import { countRequests, type RequestsPerUnit, requestsPerUnit } from "../requestCounter.ts";

/** What one kind of call sequence cost per event, as DynamoDB Local reported it. */
export interface StepCapacity {
  requests: RequestsPerUnit;
  capacity: CapacityTally;
}

/** Sizes of an event's items by DynamoDB's sizing rules, at each moment a write is billed on them. */
export interface StoredItemSizes {
  /** Where the intake put the body: its own item (`inline`), or an S3 object and no body item (`s3`). */
  placement: "inline" | "s3";
  /** The state as the intake puts it (RECEIVED). */
  acceptedState: number;
  /** The state once QUEUED: what the delivery first reads. */
  queuedState: number;
  /** The body item (its `data` is the stored form: gzip when smaller); 0 when the body is in S3 (no item). */
  body: number;
  /** Bytes of the body's stored form alone (the S3 object's length when in S3). */
  storedBody: number;
  /** The state after a first-try delivery settled it. */
  deliveredState: number;
  /** The state after one retried attempt, and the attempt item that attempt added. */
  retriedState: number;
  attempt: number;
  /** The state after a delivery that followed the retry. */
  deliveredAfterRetryState: number;
}

/** Everything measured at one body size. */
export interface SizeCapacity {
  bodyBytes: number;
  events: number;
  items: StoredItemSizes;
  accepted: StepCapacity;
  /** A provider's retry once the event is QUEUED. */
  duplicate: StepCapacity;
  /** A delivery the consumer acknowledges at once. */
  firstTry: StepCapacity;
  /** An attempt the consumer answered 503 (hidden for the retry), then the attempt it acknowledged. */
  retried: StepCapacity;
  deliveredAfterRetry: StepCapacity;
  /**
   * One sweep over the delivered events (none left RECEIVED, as in steady state): its walk of their listing index
   * entries and its batch read of their states, and its watermark's read and write, per event.
   */
  swept: StepCapacity;
}

const DRAIN_DEADLINE_MS = 30_000;

/**
 * Runs the real intake and delivery handlers against DynamoDB Local and fauxqs (SQS and S3) at `endpoints`, for each
 * body size: `events` new events (Stripe-shaped, `stripeEventBody`), a provider retry of each, a first-try
 * delivery of each; then `events` more, each retried once (503) and then delivered. Counts, per event, the
 * requests (DynamoDB, SQS and S3) and the capacity DynamoDB Local reports (`ReturnConsumedCapacity: INDEXES`), and the size of every item
 * at the moment a write was billed on it: what the cost model prices, and what it must reproduce. Untimed.
 */
export async function measureCapacity(
  endpoints: { dynamoDb: string; sqs: string },
  bodySizes: readonly number[],
  events: number,
): Promise<SizeCapacity[]> {
  const measured: SizeCapacity[] = [];
  for (const bodyBytes of bodySizes) measured.push(await measureOneSize(endpoints, bodyBytes, events));
  return measured;
}

async function measureOneSize(
  endpoints: { dynamoDb: string; sqs: string },
  bodyBytes: number,
  events: number,
): Promise<SizeCapacity> {
  const setup = intakeSetup(bodyBytes);
  const client = () =>
    new DynamoDBClient({ endpoint: endpoints.dynamoDb, region: "us-east-1", credentials: localCredentials });
  const ddb = client();
  const reader = client();
  const sqs = localSqsClient(endpoints.sqs);
  const suffix = `${bodyBytes}-${randomUUID().slice(0, 8)}`;
  const eventsTable = `cost-events-${suffix}`;
  try {
    await ensureEventsTable(ddb, eventsTable);
    const queue = await ensureQueueWithDlq(sqs, {
      queueName: `cost-delivery-${suffix}`,
      maxReceiveCount: 8,
      visibilityTimeoutSeconds: 30,
      endpoint: endpoints.sqs,
    });
    const itemOf = async (eventId: string, sk: string) => {
      const key = { pk: { S: `${PROVIDER}#${eventId}` }, sk: { S: sk } };
      const { Item } = await reader.send(
        new GetItemCommand({ TableName: eventsTable, Key: key, ConsistentRead: true }),
      );
      return Item;
    };
    const sizeOf = async (eventId: string, sk = "state") => {
      const item = await itemOf(eventId, sk);
      invariant(item !== undefined, `event ${eventId} has no ${sk} item`);
      return itemSizeBytes(item);
    };
    let current = "";
    const acceptedStates: number[] = [];
    // fauxqs serves S3 on the same address as SQS; the intake and the delivery share one counted client.
    const { s3, bodyBucket } = await localBodyBucketAt(endpoints.sqs);
    const intake = createIntakeHandler({
      s3,
      bodyBucket,
      config: setup.config,
      secrets: createSecretResolver({ env: setup.env }),
      ddb,
      sqs,
      eventsTable,
      queueUrl: queue.queueUrl,
      logger: () => {},
      // The state as put, read between the intake's writes (by another client: not counted).
      faults: { afterStatePut: async () => void acceptedStates.push(await sizeOf(current)) },
    });
    const calls = { ddb: countRequests(ddb), sqs: countRequests(sqs), s3: countRequests(s3) };
    const capacity = countCapacity(ddb);
    const step = (units: number): StepCapacity => ({
      requests: requestsPerUnit([...calls.ddb.take(), ...calls.sqs.take(), ...calls.s3.take()], units),
      capacity: capacityPerUnit(capacity.take(), units),
    });
    const send = async (eventId: string, expected: number) => {
      current = eventId;
      const body = stripeEventBody(eventId, bodyBytes);
      const answer = await intake(stripeDelivery(setup.stripeSecret, eventId, body));
      invariant(answer.statusCode === expected, `${eventId} was answered ${answer.statusCode}, not ${expected}`);
    };
    // Of one length, so every event's items are of one size.
    const newIds = () =>
      Array.from({ length: events }, (_, n) => `evt_cost_${String(n).padStart(6, "0")}_${randomUUID().slice(0, 8)}`);

    let consumerStatus = 200;
    const delivery = stubbedDeliveryHandler({
      setup,
      ddb,
      sqs,
      s3,
      eventsTable,
      queueUrl: queue.queueUrl,
      consumerStatus: () => consumerStatus,
      logger: () => {},
    });
    const eventSource = localSqsClient(endpoints.sqs);
    const drain = async (status: number) => {
      consumerStatus = status;
      const deadline = Date.now() + DRAIN_DEADLINE_MS;
      let handled = 0;
      while (handled < events && Date.now() < deadline) {
        const poll = await pollOnce({
          sqs: eventSource,
          queueUrl: queue.queueUrl,
          handler: delivery,
          maxMessages: 1,
          waitTimeSeconds: 1,
        });
        handled += poll.received.length;
      }
      invariant(handled === events, `the delivery handled ${handled} of ${events} jobs (consumer answering ${status})`);
    };

    try {
      const firstIds = newIds();
      for (const id of firstIds) await send(id, 202);
      const accepted = step(events);
      const queuedState = await sizeOf(firstIds[0] ?? "");
      // An S3 body has no body item: the state's reference names the object and its stored length.
      const state = unmarshall((await itemOf(firstIds[0] ?? "", "state")) ?? {});
      const bodyItem = await itemOf(firstIds[0] ?? "", "body");
      const placement = state.body?.kind === "s3" ? "s3" : "inline";
      invariant(
        (placement === "s3") === (bodyItem === undefined),
        `event ${firstIds[0]}: body ${placement}, body item ${bodyItem === undefined ? "absent" : "present"}`,
      );
      const body = bodyItem === undefined ? 0 : itemSizeBytes(bodyItem);
      const storedBody = placement === "s3" ? Number(state.body.storedBytes) : (bodyItem?.data?.B?.byteLength ?? 0);
      for (const id of firstIds) await send(id, 200);
      const duplicate = step(events);
      await drain(200);
      const firstTry = step(events);
      const deliveredState = await sizeOf(firstIds[0] ?? "");
      // A sweep that walks the window holding every one of them (they arrived within the last minute).
      const swept = await sweepOnce(
        {
          ddb: client(),
          sqs,
          eventsTable,
          queueUrl: queue.queueUrl,
          deadLetterQueueUrl: queue.dlqUrl,
          config: setup.config,
        },
        events,
      );
      calls.ddb.take();
      calls.sqs.take();
      capacity.take();

      const retriedIds = newIds();
      for (const id of retriedIds) await send(id, 202);
      step(events);
      await drain(503);
      const retried = step(events);
      const retriedState = await sizeOf(retriedIds[0] ?? "");
      const attempt = await sizeOf(retriedIds[0] ?? "", `attempt#${DESTINATION_ID}#00001`);
      await drain(200);
      const deliveredAfterRetry = step(events);
      const deliveredAfterRetryState = await sizeOf(retriedIds[0] ?? "");
      invariant(new Set(acceptedStates).size === 1, `accepted states of several sizes: ${acceptedStates.join(", ")}`);
      return {
        bodyBytes,
        events,
        items: {
          placement,
          acceptedState: acceptedStates[0] ?? 0,
          queuedState,
          body,
          storedBody,
          deliveredState,
          retriedState,
          attempt,
          deliveredAfterRetryState,
        },
        accepted,
        duplicate,
        firstTry,
        retried,
        deliveredAfterRetry,
        swept: { requests: swept.requests, capacity: swept.capacity },
      };
    } finally {
      eventSource.destroy();
      s3.destroy();
    }
  } finally {
    for (const c of [ddb, reader, sqs as SQSClient]) c.destroy();
  }
}

/**
 * What a sweep costs per event, in steady state: a sweep over `events` delivered events (its clock a sweep period
 * past them), less a sweep a minute later over a window with none (the watermark's read and write, a Query per
 * listing shard: the fixed monthly cost). A sweep before both stores the watermark they read. Run on a client of its own (`target.ddb`, counted, then destroyed).
 */
async function sweepOnce(
  target: {
    ddb: DynamoDBClient;
    sqs: SQSClient;
    eventsTable: string;
    queueUrl: string;
    deadLetterQueueUrl: string;
    config: Parameters<typeof createSweeper>[0]["config"];
  },
  events: number,
): Promise<StepCapacity> {
  const { ddb } = target;
  try {
    const calls = countRequests(ddb);
    const capacity = countCapacity(ddb);
    // A first sweep whose window ends before them stores the watermark, so both measured sweeps read one.
    let aheadMs = 0;
    const sweep = createSweeper({ ...target, clock: { nowMs: () => Date.now() + aheadMs }, logger: () => {} });
    invariant((await sweep()).examined === 0, "a sweep before the events examined entries");
    calls.take();
    capacity.take();
    aheadMs = (target.config.sweepAfterSeconds + 60) * 1000;
    const result = await sweep();
    invariant(result.examined === events, `the sweep examined ${result.examined} entries of ${events} events`);
    invariant(result.found === 0, `the sweep found ${result.found} delivered events still RECEIVED`);
    const walked = { requests: calls.take(), capacity: capacity.take() };
    aheadMs += 60_000;
    invariant((await sweep()).examined === 0, "a sweep of an empty window examined entries");
    const empty = capacity.take();
    calls.take();
    const perEvent = (walkedUnits: number, emptyUnits: number) => (walkedUnits - emptyUnits) / events;
    return {
      requests: requestsPerUnit(walked.requests, events),
      capacity: {
        tableWriteUnits: perEvent(walked.capacity.tableWriteUnits, empty.tableWriteUnits),
        indexWriteUnits: perEvent(walked.capacity.indexWriteUnits, empty.indexWriteUnits),
        readUnits: perEvent(walked.capacity.readUnits, empty.readUnits),
        refusedWrites: perEvent(walked.capacity.refusedWrites, empty.refusedWrites),
        controlReadUnits: 0,
        controlWriteUnits: 0,
      },
    };
  } finally {
    ddb.destroy();
  }
}
