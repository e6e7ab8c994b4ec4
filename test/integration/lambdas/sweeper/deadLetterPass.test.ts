import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, test } from "@jest/globals";
import type { DeliveryHandler } from "../../../../lambdas/delivery/deliveryHandler.ts";
import type { StoredEvent } from "../../../../lambdas/delivery/deliveryStore.ts";
import { stateKey } from "../../../../lambdas/shared/eventItemKeys.ts";
import type { DestinationState } from "../../../../lambdas/shared/eventRecord.ts";
import { DEFAULT_PEAK_EVENTS_PER_SECOND } from "../../../../lambdas/shared/indexShards.ts";
import {
  type DeadLetterCounts,
  type DeadLetterPassOptions,
  noDeadLetters,
  reconcileDeadLetters,
} from "../../../../lambdas/sweeper/deadLetterPass.ts";
import { createSweeper } from "../../../../lambdas/sweeper/handler.ts";
import { freePort } from "../../../../local/freePort.ts";
import { DEFAULT_SHARDS, putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import { deliverySuite, destination, harnessHandler, sendJob } from "../../../support/deliveryHarness.ts";
import { localClient } from "../../../support/dynamoDbTables.ts";
import {
  createQueueWithDlq,
  localSqsClient,
  messageCount,
  type QueueWithDlq,
  receiveAll,
} from "../../../support/fauxqs.ts";
import { countRequests } from "../../../support/requestCounter.ts";
import { respond } from "../../../support/scriptedConsumer.ts";
import { pollOnce } from "../../../support/sqsEventSourceLoop.ts";
import { enforceVisibilityRules, type VisibilityRules } from "../../../support/sqsVisibilityRules.ts";
import { nothingSwept } from "../../../support/sweepCounts.ts";

// Five attempts, so the job is nowhere near exhausted when the backstop (maxReceiveCount 2) moves it.
const SCHEDULE = [1, 1, 1, 1];
const MAX_RECEIVE_COUNT = 2;
const suite = deliverySuite(MAX_RECEIVE_COUNT);
const wallClock = { nowMs: () => Date.now() };

/** An SQS client held to SQS's visibility rules (fauxqs is kinder), and what it was asked. */
function strictSqs(): { sqs: SQSClient; rules: VisibilityRules } {
  const sqs = localSqsClient(suite.harness.local.endpoint);
  return { sqs, rules: enforceVisibilityRules(sqs, wallClock) };
}

function deliveryHandler(ddb = suite.harness.ddb, sqs = suite.harness.local.sqs): DeliveryHandler {
  return harnessHandler(suite.harness, suite.queueUrl, {
    config: { destinations: [destination("orders", suite.consumer.url)], retryScheduleSeconds: SCHEDULE },
    maxReceiveCount: MAX_RECEIVE_COUNT,
    ddb,
    sqs,
  });
}

function sweeper(sqs: SQSClient, queue: QueueWithDlq = suite.queue) {
  return createSweeper({
    config: {
      sweepAfterSeconds: 120,
      peakEventsPerSecond: DEFAULT_PEAK_EVENTS_PER_SECOND,
      eventRetentionSeconds: 3600,
    },
    ddb: suite.harness.ddb,
    sqs,
    eventsTable: suite.harness.eventsTable,
    queueUrl: queue.queueUrl,
    deadLetterQueueUrl: queue.dlqUrl,
    logger: (line) => suite.harness.logs.push(line),
  });
}

/** The dead-letter pass alone, on `queue`'s DLQ, through a strict client unless `overrides` give one. */
function pass(queue: QueueWithDlq, overrides: Partial<DeadLetterPassOptions> = {}) {
  return reconcileDeadLetters({
    sqs: suite.harness.local.sqs,
    deadLetterQueueUrl: queue.dlqUrl,
    table: { client: suite.harness.ddb, tableName: suite.harness.eventsTable, shards: DEFAULT_SHARDS },
    logger: (line) => suite.harness.logs.push(line),
    ...overrides,
  });
}

const counts = (overrides: Partial<DeadLetterCounts>): DeadLetterCounts => ({ ...noDeadLetters(), ...overrides });
const inQueue = (name: string) => messageCount(suite.harness.local.server, name);
const visibleIn = (name: string) => suite.harness.local.server.inspectQueue(name)?.messages.ready.length;
const read = (pk: string) => storedEvent(suite.harness.ddb, suite.harness.eventsTable, pk);
const jobBody = (item: StoredEvent) => JSON.stringify({ pk: item.pk, destination: "orders" });

async function storeEvent(state?: DestinationState, status: StoredEvent["status"] = "QUEUED"): Promise<StoredEvent> {
  const item = queuedEvent(["orders"], { status, ...(state && { destinations: { orders: state } }) });
  await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
  return item;
}

/** A fresh queue whose DLQ holds `bodies` (as if SQS had moved them there); returns it and their message ids. */
async function deadLetterQueueWith(...bodies: string[]): Promise<{ queue: QueueWithDlq; ids: string[] }> {
  const { sqs } = suite.harness.local;
  const queue = await createQueueWithDlq(sqs, { prefix: "dead" });
  const ids: string[] = [];
  for (const body of bodies) {
    ids.push((await sqs.send(new SendMessageCommand({ QueueUrl: queue.dlqUrl, MessageBody: body }))).MessageId ?? "");
  }
  return { queue, ids };
}

/**
 * The fault: attempt 1 is answered 503 (PENDING, retry due in 1 s); on the job's last receive (MAX_RECEIVE_COUNT)
 * DynamoDB is down, so the delivery cannot mark it `dead_lettered`; on the next receive SQS moves it to the DLQ.
 */
async function deadLetterDuringOutage() {
  const item = await storeEvent();
  const messageId = await sendJob(suite.harness, suite.queueUrl, { pk: item.pk, destination: "orders" });
  suite.consumer.script(respond(503));
  const { sqs } = suite.harness.local;
  const queueUrl = suite.queueUrl;
  expect((await pollOnce({ sqs, queueUrl, handler: deliveryHandler(), waitTimeSeconds: 1 })).failed).toEqual([
    messageId,
  ]);

  const ddbDown = new DynamoDBClient({ endpoint: `http://127.0.0.1:${await freePort()}`, maxAttempts: 1 });
  // The outage's backoff (10 s) is fast-forwarded to 0 s, so the test need not wait it out.
  const fast = localSqsClient(suite.harness.local.endpoint);
  enforceVisibilityRules(fast, wallClock, { fastForward: true });
  const last = await pollOnce({ sqs, queueUrl, handler: deliveryHandler(ddbDown, fast), waitTimeSeconds: 3 });
  ddbDown.destroy();
  fast.destroy();
  expect(last.failed).toEqual([messageId]);
  expect(suite.harness.logs.at(-1)).toMatchObject({ messageId, receiveCount: MAX_RECEIVE_COUNT, outcome: "error" });

  // The receive after the last one: SQS moves the job to the DLQ instead of delivering it.
  expect((await pollOnce({ sqs, queueUrl, handler: deliveryHandler(), waitTimeSeconds: 1 })).received).toEqual([]);
  expect(inQueue(suite.queue.queueName)).toBe(0);
  expect(inQueue(suite.queue.dlqName)).toBe(1);
  const stuck = await read(item.pk);
  expect(stuck.status).toBe("QUEUED");
  expect(stuck.destinations.orders).toMatchObject({ status: "PENDING", attempts: 1 });
  return { item, messageId };
}

/** Moves the DLQ's one message back to the delivery queue as a redrive does (a new message); returns its new id. */
async function redriveOne(): Promise<string> {
  const { sqs } = suite.harness.local;
  const { dlqUrl, queueUrl } = suite.queue;
  const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 1 }));
  const message = dead.Messages?.[0];
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message?.Body }));
  await sqs.send(new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message?.ReceiptHandle }));
  return sent.MessageId ?? "";
}

describe("the sweeper's dead-letter pass after a DynamoDB outage on a job's last receive", () => {
  test("marks the destination DEAD (dead_lettered) and the event DEAD in one run, and leaves the job in the DLQ", async () => {
    const { item, messageId } = await deadLetterDuringOutage();
    const { sqs, rules } = strictSqs();
    const result = await sweeper(sqs)();
    expect(result).toEqual(nothingSwept(counts({ read: 1, marked: 1 })));

    const marked = await read(item.pk);
    // The DLQ keeps a message's id: it is the one the last receive would have written.
    expect(marked.destinations.orders).toMatchObject({
      status: "DEAD",
      reason: "dead_lettered",
      attempts: 1,
      deadMessageId: messageId,
    });
    expect(marked.destinations.orders?.nextAttemptAtMs).toBeUndefined();
    expect(marked.status).toBe("DEAD");
    expect(suite.harness.logs).toContainEqual(
      expect.objectContaining({ msg: "oncegate.sweeper.dead_lettered", messageId, pk: item.pk }),
    );
    // Never deleted, and handed back at once (visibility 0, within SQS's rules): an operator sees it now.
    expect(inQueue(suite.queue.dlqName)).toBe(1);
    expect(visibleIn(suite.queue.dlqName)).toBe(1);
    expect(rules.refused).toEqual([]);
    expect(rules.accepted.map((call) => call.seconds)).toEqual([0]);
    sqs.destroy();
    expect(await receiveAll(suite.harness.local.sqs, suite.queue.dlqUrl)).toHaveLength(1); // empty for the next test
  });

  test("delivers a later redrive of the job: SQS gives it a new message id, so it is not the one that died", async () => {
    const { item, messageId } = await deadLetterDuringOutage();
    const { sqs } = strictSqs();
    await sweeper(sqs)();
    expect((await read(item.pk)).destinations.orders).toMatchObject({ status: "DEAD", deadMessageId: messageId });

    const redriven = await redriveOne();
    expect(redriven).not.toBe(messageId);
    suite.consumer.script(respond(200));
    const polled = await pollOnce({
      sqs: suite.harness.local.sqs,
      queueUrl: suite.queueUrl,
      handler: deliveryHandler(),
      waitTimeSeconds: 1,
    });
    expect(polled.deleted).toEqual([redriven]);
    const delivered = await read(item.pk);
    expect(delivered.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 2, redrives: 1 });
    expect(delivered.status).toBe("DELIVERED");
    expect(suite.consumer.requests.at(-1)?.headers["oncegate-attempt"]).toBe("2");

    // The DLQ is empty again: a run's dead-letter pass costs one SQS call and no DynamoDB call.
    const sqsCalls = countRequests(sqs);
    const ddbCalls = countRequests(suite.harness.ddb);
    expect((await sweeper(sqs)()).deadLetters).toEqual(noDeadLetters());
    expect(sqsCalls.take()).toEqual(["GetQueueAttributesCommand"]);
    // The walk's only (its watermark read and moved, its listing index Queries); none is the pass's.
    const walkOnly = ddbCalls.take().filter((name) => name !== "QueryCommand");
    expect(walkOnly.sort()).toEqual(["GetItemCommand", "UpdateItemCommand"]);
    sqs.destroy();
  });
});

describe("the dead-letter pass", () => {
  test("does not rewrite a destination already DEAD, DELIVERED or FAILED, and writes an overall status that lags", async () => {
    const dead = await storeEvent({ status: "DEAD", attempts: 5, reason: "http_500", deadMessageId: "m-died" }, "DEAD");
    const delivered = await storeEvent({ status: "DELIVERED", attempts: 1, lastStatusCode: 200 }, "DELIVERED");
    const failed = await storeEvent({ status: "FAILED", attempts: 1, reason: "http_400" }, "FAILED");
    // The last receive marked the destination, then DynamoDB failed before the overall status.
    const lagging = await storeEvent(
      { status: "DEAD", attempts: 1, reason: "dead_lettered", deadMessageId: "m-last" },
      "QUEUED",
    );
    const items = [dead, delivered, failed, lagging];
    const { queue } = await deadLetterQueueWith(...items.map(jobBody));
    const ddb = localClient();
    const calls = countRequests(ddb);
    const table = { client: ddb, tableName: suite.harness.eventsTable, shards: DEFAULT_SHARDS };

    expect(await pass(queue, { table })).toEqual(counts({ read: 4, alreadySettled: 4 }));
    // One GetItem each; the only write is the lagging event's status (it leaves `version` as it is).
    expect(calls.take().sort()).toEqual([...Array(4).fill("GetItemCommand"), "UpdateItemCommand"]);
    for (const item of items) {
      const stored = await read(item.pk);
      expect(stored.version).toBe(0);
      expect(stored.destinations).toEqual(item.destinations);
    }
    expect((await read(lagging.pk)).status).toBe("DEAD");
    expect(inQueue(queue.dlqName)).toBe(4);
    ddb.destroy();
  });

  test("counts a missing event and an unreadable body without failing, and marks the other jobs", async () => {
    const pending = await storeEvent();
    const gone = JSON.stringify({ pk: "stripe#evt_expired", destination: "orders" });
    const { queue, ids } = await deadLetterQueueWith("not a job", gone, jobBody(pending));
    const before = suite.harness.logs.length;

    expect(await pass(queue)).toEqual(counts({ read: 3, marked: 1, missing: 1, unreadable: 1 }));
    expect((await read(pending.pk)).destinations.orders).toMatchObject({ status: "DEAD", deadMessageId: ids[2] });
    const lines = suite.harness.logs.slice(before);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "warn", msg: "oncegate.sweeper.dead_letter_unreadable", messageId: ids[0] }),
    );
    expect(JSON.stringify(lines)).not.toContain("not a job");
    expect(inQueue(queue.dlqName)).toBe(3);
  });

  test("costs exactly one SQS call on an empty dead-letter queue", async () => {
    const { queue } = await deadLetterQueueWith();
    const { sqs } = strictSqs();
    const calls = countRequests(sqs);
    expect(await pass(queue, { sqs })).toEqual(noDeadLetters());
    expect(calls.take()).toEqual(["GetQueueAttributesCommand"]);
    sqs.destroy();
  });

  test("looks at no more than maxPerRun messages a run, in receives of at most 10, and hands them all back", async () => {
    const expired = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify({ pk: `stripe#evt_gone_${i}`, destination: "x" }),
    );
    const { queue } = await deadLetterQueueWith(...expired);
    const { sqs, rules } = strictSqs();
    const asked: number[] = [];
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { MaxNumberOfMessages?: number };
        if (context.commandName === "ReceiveMessageCommand") asked.push(input.MaxNumberOfMessages ?? 1);
        return next(args);
      },
      { step: "initialize", name: "receiveSizes" },
    );

    expect(await pass(queue, { sqs, maxPerRun: 12 })).toEqual(counts({ read: 12, missing: 12 }));
    expect(asked).toEqual([10, 2]);
    expect(rules.accepted).toHaveLength(12);
    expect(rules.accepted.every((call) => call.seconds === 0)).toBe(true);
    expect(visibleIn(queue.dlqName)).toBe(25);
    sqs.destroy();
  });

  test("stops at a receive that brings only messages it already saw in this run", async () => {
    const expired = Array.from({ length: 3 }, (_, i) =>
      JSON.stringify({ pk: `stripe#evt_seen_${i}`, destination: "x" }),
    );
    const { queue } = await deadLetterQueueWith(...expired);
    // As if each message came back at once (a run longer than their visibility timeout).
    const sqs = localSqsClient(suite.harness.local.endpoint);
    sqs.middlewareStack.add(
      (next, context) => async (args) =>
        next(
          context.commandName === "ReceiveMessageCommand"
            ? { ...args, input: { ...args.input, VisibilityTimeout: 0 } }
            : args,
        ),
      { step: "initialize", name: "visibleAtOnce" },
    );
    const calls = countRequests(sqs);
    const ddbCalls = countRequests(suite.harness.ddb);

    expect(await pass(queue, { sqs })).toEqual(counts({ read: 3, missing: 3 }));
    expect(calls.take().filter((call) => call === "ReceiveMessageCommand")).toHaveLength(2);
    expect(ddbCalls.take()).toEqual(Array(3).fill("GetItemCommand"));
    sqs.destroy();
  });

  test("counts a DynamoDB error on one message as failed, logs its code, and still marks the others", async () => {
    const [failing, ...healthy] = [await storeEvent(), await storeEvent(), await storeEvent()];
    const { queue } = await deadLetterQueueWith(jobBody(failing), ...healthy.map(jobBody));
    const ddb = localClient();
    ddb.middlewareStack.add(
      (next) => async (args) => {
        const key = (args.input as { Key?: { pk?: { S?: string } } }).Key;
        if (key?.pk?.S === failing.pk) {
          throw Object.assign(new Error("throttled"), { name: "ProvisionedThroughputExceededException" });
        }
        return next(args);
      },
      { step: "initialize", name: "failOneEvent" },
    );
    let countedFailures = 0;
    const before = suite.harness.logs.length;
    const table = { client: ddb, tableName: suite.harness.eventsTable, shards: DEFAULT_SHARDS };

    expect(await pass(queue, { table, countFailed: () => countedFailures++ })).toEqual(
      counts({ read: 3, marked: 2, failed: 1 }),
    );
    expect(countedFailures).toBe(1);
    expect(suite.harness.logs.slice(before)).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "oncegate.sweeper.dead_letter_failed",
        pk: failing.pk,
        error: "ProvisionedThroughputExceededException",
      }),
    );
    expect((await read(failing.pk)).destinations.orders?.status).toBe("PENDING");
    for (const item of healthy) expect((await read(item.pk)).status).toBe("DEAD");
    ddb.destroy();

    // The next run, DynamoDB healthy, marks the one that failed.
    expect(await pass(queue)).toEqual(counts({ read: 3, marked: 1, alreadySettled: 2 }));
    expect((await read(failing.pk)).status).toBe("DEAD");
  });

  test("keeps a destination that was DELIVERED between its read and the write (the transition is recomputed)", async () => {
    const item = await storeEvent({ status: "PENDING", attempts: 1, lastStatusCode: 503 });
    const { queue } = await deadLetterQueueWith(jobBody(item));
    const ddb = localClient();
    let raced = false;
    ddb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "UpdateItemCommand" && !raced) {
          raced = true;
          // A duplicate job's delivery lands first.
          const delivered = { status: "DELIVERED", attempts: 2, lastStatusCode: 200 };
          await suite.harness.ddb.send(
            new UpdateItemCommand({
              TableName: suite.harness.eventsTable,
              Key: stateKey(item.pk),
              UpdateExpression: "SET destinations.#d = :state, #status = :delivered, #version = #version + :one",
              ExpressionAttributeNames: { "#d": "orders", "#status": "status", "#version": "version" },
              ExpressionAttributeValues: marshall({ ":state": delivered, ":delivered": "DELIVERED", ":one": 1 }),
            }),
          );
        }
        return next(args);
      },
      { step: "initialize", name: "deliveredMeanwhile" },
    );

    expect(
      await pass(queue, { table: { client: ddb, tableName: suite.harness.eventsTable, shards: DEFAULT_SHARDS } }),
    ).toEqual(counts({ read: 1, alreadySettled: 1 }));
    const stored = await read(item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 2, lastStatusCode: 200 });
    expect(stored.destinations.orders?.reason).toBeUndefined();
    expect(stored.destinations.orders?.deadMessageId).toBeUndefined();
    expect(stored.status).toBe("DELIVERED");
    ddb.destroy();
  });
});
