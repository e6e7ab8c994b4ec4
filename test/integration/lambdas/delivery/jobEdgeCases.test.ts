import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { DeliveryHandlerOptions } from "../../../../lambdas/delivery/deliveryHandler.ts";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import {
  createDeliveryQueue,
  type DeliveryHarness,
  destination,
  harnessHandler,
  jobEvent,
  sendJob,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { localClient } from "../../../support/dynamoDbTables.ts";
import { respond, type ScriptedConsumer, startScriptedConsumer } from "../../../support/scriptedConsumer.ts";
import { pollOnce } from "../../../support/sqsEventSourceLoop.ts";

const SCHEDULE = [1, 1];

let harness: DeliveryHarness;
let consumer: ScriptedConsumer;
let queueUrl: string;
beforeAll(async () => {
  harness = await startDeliveryHarness();
  consumer = await startScriptedConsumer();
  queueUrl = (await createDeliveryQueue(harness, SCHEDULE.length + 1)).queueUrl;
});
afterAll(async () => {
  await consumer.close();
  await harness.stop();
});

function handlerFor(options: Partial<DeliveryHandlerOptions> = {}) {
  return harnessHandler(harness, queueUrl, {
    config: { destinations: [destination("orders", consumer.url)], retryScheduleSeconds: SCHEDULE },
    ...options,
  });
}

async function storeEvent(overrides: Parameters<typeof queuedEvent>[1] = {}) {
  const item = queuedEvent(["orders"], overrides);
  await putEvent(harness.ddb, harness.eventsTable, item);
  return item;
}

const read = (pk: string) => storedEvent(harness.ddb, harness.eventsTable, pk);
const logsFor = (pk: string) => harness.logs.filter((line) => line.pk === pk);

/** Counts the POSTs the consumer receives while `run` runs. */
async function postsDuring(run: () => Promise<unknown>): Promise<number> {
  const before = consumer.requests.length;
  await run();
  return consumer.requests.length - before;
}

describe("jobs that are not POSTed", () => {
  test("does not POST again for a duplicate message once the destination is DELIVERED", async () => {
    const item = await storeEvent();
    consumer.script(respond(200));
    const handler = handlerFor();
    const job = { pk: item.pk, destination: "orders" };
    expect(await postsDuring(() => handler(jobEvent({ job })))).toBe(1);
    expect(await postsDuring(() => handler(jobEvent({ job, attempt: 2 }, { job })))).toBe(0);
    expect((await read(item.pk)).attempts).toHaveLength(1);
    expect(logsFor(item.pk).map((line) => line.outcome)).toEqual(["delivered", "skipped", "skipped"]);
  });

  test("does not POST again for a destination that FAILED", async () => {
    const item = await storeEvent({ destinations: { orders: { status: "FAILED", attempts: 1, reason: "http_400" } } });
    const result = await handlerFor()(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(logsFor(item.pk)).toEqual([expect.objectContaining({ outcome: "skipped", reason: "already_failed" })]);
  });

  test("deletes a malformed job without reporting it, and logs it loudly without its body", async () => {
    const before = harness.logs.length;
    const result = await handlerFor()(
      jobEvent({ job: "not json", messageId: "m-bad" }, { job: JSON.stringify({ pk: 1 }), messageId: "m-bad2" }),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    const lines = harness.logs.slice(before);
    expect(lines).toEqual([
      expect.objectContaining({ level: "error", messageId: "m-bad", outcome: "dropped", reason: "malformed_job" }),
      expect.objectContaining({ level: "error", messageId: "m-bad2", outcome: "dropped", reason: "malformed_job" }),
    ]);
    expect(JSON.stringify(lines)).not.toContain("not json");
  });

  test("drops a job whose event has expired", async () => {
    const result = await handlerFor()(jobEvent({ job: { pk: "stripe#evt_gone", destination: "orders" } }));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(logsFor("stripe#evt_gone")).toEqual([
      expect.objectContaining({ outcome: "dropped", reason: "event_missing" }),
    ]);
  });

  test("drops a job whose body item has expired before its state, without a POST", async () => {
    const item = await storeEvent();
    // TTL removes an event's items in no particular order.
    await harness.ddb.send(
      new DeleteItemCommand({ TableName: harness.eventsTable, Key: { pk: { S: item.pk }, sk: { S: "body" } } }),
    );
    consumer.script(respond(200));
    let result: unknown;
    const run = async () => {
      result = await handlerFor()(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    };
    expect(await postsDuring(run)).toBe(0);
    expect(result).toEqual({ batchItemFailures: [] });
    expect(logsFor(item.pk)).toEqual([expect.objectContaining({ outcome: "dropped", reason: "body_missing" })]);
  });

  test("marks a destination the configuration no longer has FAILED, without a POST", async () => {
    const item = queuedEvent(["orders", "retired"]);
    await putEvent(harness.ddb, harness.eventsTable, item);
    consumer.script(respond(200));
    const handler = handlerFor();
    expect(await postsDuring(() => handler(jobEvent({ job: { pk: item.pk, destination: "retired" } })))).toBe(0);
    await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    const stored = await read(item.pk);
    expect(stored.destinations.retired).toEqual({
      status: "FAILED",
      attempts: 0,
      reason: "unknown_destination",
      writeToken: expect.any(String),
    });
    expect(stored.status).toBe("FAILED");
  });

  test("ends a job whose stored attempts are all made as DEAD, without a POST, however few its receives", async () => {
    const item = await storeEvent({
      destinations: { orders: { status: "PENDING", attempts: SCHEDULE.length + 1, lastStatusCode: 503 } },
    });
    const handler = handlerFor();
    const event = jobEvent({ job: { pk: item.pk, destination: "orders" }, attempt: 1, messageId: "m-late" });
    let result: unknown;
    expect(await postsDuring(async () => (result = await handler(event)))).toBe(0);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-late" }] });
    const stored = await read(item.pk);
    expect(stored.destinations.orders).toMatchObject({
      status: "DEAD",
      reason: "attempts_exhausted",
      deadMessageId: "m-late",
    });
    expect(stored.status).toBe("DEAD");
  });

  test("marks a PENDING destination DEAD (dead_lettered) on the job's last receive before the DLQ, without a POST", async () => {
    const item = await storeEvent({
      destinations: { orders: { status: "PENDING", attempts: 1, lastStatusCode: 503 } },
    });
    const handler = handlerFor({ maxReceiveCount: 40 });
    const event = jobEvent({ job: { pk: item.pk, destination: "orders" }, attempt: 40, messageId: "m-last" });
    let result: unknown;
    expect(await postsDuring(async () => (result = await handler(event)))).toBe(0);
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-last" }] });
    const stored = await read(item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DEAD", reason: "dead_lettered", attempts: 1 });
    expect(stored.status).toBe("DEAD");
  });

  test("does not count receives as attempts: the 4th receive of a job with one stored attempt POSTs attempt 2", async () => {
    const item = await storeEvent({
      destinations: { orders: { status: "PENDING", attempts: 1, lastStatusCode: 503 } },
    });
    consumer.script(respond(200));
    const event = jobEvent({ job: { pk: item.pk, destination: "orders" }, attempt: SCHEDULE.length + 2 });
    expect(await postsDuring(() => handlerFor()(event))).toBe(1);
    expect(consumer.requests.at(-1)?.headers["oncegate-attempt"]).toBe("2");
    expect((await read(item.pk)).destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 2 });
  });
});

describe("redrive", () => {
  test("delivers a job redriven from the dead-letter queue, moving DEAD to DELIVERED", async () => {
    const item = await storeEvent({
      status: "DEAD",
      destinations: { orders: { status: "DEAD", attempts: 3, lastStatusCode: 500, reason: "http_500" } },
    });
    consumer.script(respond(200));
    expect(await handlerFor()(jobEvent({ job: { pk: item.pk, destination: "orders" } }))).toEqual({
      batchItemFailures: [],
    });
    const stored = await read(item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 4, lastStatusCode: 200 });
    expect(stored.status).toBe("DELIVERED");
  });
});

describe("failures while recording", () => {
  test("reports the job for a retry when DynamoDB fails, and keeps processing the other records", async () => {
    const [failing, healthy] = [await storeEvent(), await storeEvent()];
    consumer.script(respond(200));
    const ddb = localClient();
    ddb.middlewareStack.add(
      (next) => async (args) => {
        const key = (args.input as { Key?: { pk?: { S?: string } } }).Key;
        if (key?.pk?.S === failing.pk)
          throw Object.assign(new Error("throttled"), { name: "ProvisionedThroughputExceededException" });
        return next(args);
      },
      { step: "initialize", name: "failOneEvent" },
    );
    const result = await handlerFor({ ddb })(
      jobEvent(
        { job: { pk: failing.pk, destination: "orders" }, messageId: "m-ddb" },
        { job: { pk: healthy.pk, destination: "orders" }, messageId: "m-ok" },
      ),
    );
    ddb.destroy();
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-ddb" }] });
    expect(logsFor(failing.pk)).toEqual([
      expect.objectContaining({
        outcome: "error",
        reported: true,
        level: "error",
        error: expect.stringContaining("ProvisionedThroughputExceededException: throttled"),
        // An infrastructure failure is no attempt: it backs off (10 s after a first receive), and logs no attempt.
        delaySeconds: 10,
      }),
    ]);
    expect((await read(healthy.pk)).status).toBe("DELIVERED");
  });

  test("keeps a job whose settling update failed, recording nothing, and its retry POSTs and settles it", async () => {
    const item = await storeEvent();
    consumer.script(respond(200));
    const ddb = localClient();
    ddb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "UpdateItemCommand")
          throw Object.assign(new Error("boom"), { name: "InternalServerError" });
        return next(args);
      },
      { step: "initialize", name: "failUpdates" },
    );
    const job = { pk: item.pk, destination: "orders" };
    const result = await handlerFor({ ddb })(jobEvent({ job, messageId: "m-status" }));
    ddb.destroy();
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-status" }] });
    // One update writes the destination and the overall status: neither is half written.
    expect(await read(item.pk)).toMatchObject({ status: "QUEUED", destinations: { orders: { status: "PENDING" } } });
    expect(logsFor(item.pk).at(-1)).toMatchObject({ outcome: "error", reported: true });
    expect(await postsDuring(() => handlerFor()(jobEvent({ job, attempt: 2 })))).toBe(1);
    expect(await read(item.pk)).toMatchObject({
      status: "DELIVERED",
      destinations: { orders: { status: "DELIVERED" } },
    });
  });

  test("keeps a job whose destination is settled but whose overall status is not written, and its duplicate writes it without a POST", async () => {
    // As another path can leave it (the destination settled by an update that did not derive the status).
    const item = await storeEvent({
      destinations: { orders: { status: "DELIVERED", attempts: 1, lastStatusCode: 200 } },
    });
    const ddb = localClient();
    ddb.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ConditionExpression?: string };
        if (input.ConditionExpression === "#version = :seenVersion")
          throw Object.assign(new Error("boom"), { name: "InternalServerError" });
        return next(args);
      },
      { step: "initialize", name: "failStatusWrites" },
    );
    const job = { pk: item.pk, destination: "orders" };
    const result = await handlerFor({ ddb })(jobEvent({ job, messageId: "m-status" }));
    ddb.destroy();
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-status" }] });
    expect(await read(item.pk)).toMatchObject({ status: "QUEUED", destinations: { orders: { status: "DELIVERED" } } });
    expect(logsFor(item.pk).at(-1)).toMatchObject({
      outcome: "skipped",
      reported: true,
      level: "warn",
      error: "overall status not written: InternalServerError: boom",
    });

    expect(await postsDuring(() => handlerFor()(jobEvent({ job, attempt: 2 })))).toBe(0);
    expect((await read(item.pk)).status).toBe("DELIVERED");
  });

  test("after a crash between the POST and its record, the retry POSTs again with the same key", async () => {
    const item = await storeEvent();
    consumer.script(respond(200));
    const crashing = handlerFor({
      faults: {
        afterPost: () => {
          throw new Error("crash after POST");
        },
      },
    });
    const job = { pk: item.pk, destination: "orders" };
    const start = consumer.requests.length;
    expect(await crashing(jobEvent({ job, messageId: "m-crash" }))).toEqual({
      batchItemFailures: [{ itemIdentifier: "m-crash" }],
    });
    expect((await read(item.pk)).attempts).toEqual([]);
    expect(await handlerFor()(jobEvent({ job, attempt: 2 }))).toEqual({ batchItemFailures: [] });
    const keys = consumer.requests.slice(start).map((request) => request.headers["idempotency-key"]);
    expect(keys).toEqual([item.idempotencyKey, item.idempotencyKey]);
    expect((await read(item.pk)).destinations.orders?.status).toBe("DELIVERED");
  });
});

describe("logging", () => {
  test("writes one line per job with its numbers, and never the payload or a secret", async () => {
    const secret = "whsec_c2VjcmV0LXZhbHVlLW5ldmVyLWxvZ2dlZA==";
    const item = await storeEvent({ payload: new TextEncoder().encode('{"card":"4242-secret-payload"}') });
    consumer.script(respond(503, "down"));
    const queue = await createDeliveryQueue(harness, 2);
    const handler = harnessHandler(harness, queue.queueUrl, {
      config: {
        destinations: [destination("orders", consumer.url, { signingSecrets: [secret] })],
        retryScheduleSeconds: [7],
      },
    });
    const messageId = await sendJob(harness, queue.queueUrl, { pk: item.pk, destination: "orders" });
    await pollOnce({ sqs: harness.local.sqs, queueUrl: queue.queueUrl, handler });
    const lines = logsFor(item.pk);
    expect(lines).toEqual([
      {
        level: "info",
        msg: "oncegate.delivery",
        messageId,
        pk: item.pk,
        destination: "orders",
        receiveCount: 1,
        attempt: 1,
        outcome: "retry",
        reason: "http_503",
        statusCode: 503,
        latencyMs: expect.any(Number),
        delaySeconds: 7,
        reported: true,
      },
    ]);
    const text = JSON.stringify(lines);
    expect(text).not.toContain("secret-payload");
    expect(text).not.toContain("c2VjcmV0");
  });
});
