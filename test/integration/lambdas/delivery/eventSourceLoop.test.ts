import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { DeliveryHandler } from "../../../../lambdas/delivery/deliveryHandler.ts";
import { maxAttempts } from "../../../../lambdas/delivery/retrySchedule.ts";
import { DESTINATION_PLACEHOLDER } from "../../../../lambdas/shared/jobQueueUrl.ts";
import { ensureQueueWithDlq } from "../../../../local/sqsQueues.ts";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import {
  createDeliveryQueue,
  type DeliveryHarness,
  destination,
  harnessHandler,
  sendJob,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { messageCount, type QueueWithDlq } from "../../../support/fauxqs.ts";
import {
  inSequence,
  type Reply,
  respond,
  type ScriptedConsumer,
  startScriptedConsumer,
} from "../../../support/scriptedConsumer.ts";
import { pollOnce } from "../../../support/sqsEventSourceLoop.ts";

let harness: DeliveryHarness;
let consumer: ScriptedConsumer;
beforeAll(async () => {
  harness = await startDeliveryHarness();
  consumer = await startScriptedConsumer();
});
afterAll(async () => {
  await consumer.close();
  await harness.stop();
});

/** A queue sized for `schedule` (maxReceiveCount = maxAttempts), an event for `orders`, and its job enqueued. */
async function enqueue(schedule: number[], reply: Reply) {
  consumer.script(reply);
  const queue = await createDeliveryQueue(harness, maxAttempts(schedule));
  const item = queuedEvent(["orders"]);
  await putEvent(harness.ddb, harness.eventsTable, item);
  await sendJob(harness, queue.queueUrl, { pk: item.pk, destination: "orders" });
  const handler = harnessHandler(harness, queue.queueUrl, {
    config: { destinations: [destination("orders", consumer.url)], retryScheduleSeconds: schedule },
  });
  return { queue, item, handler, firstRequest: consumer.requests.length };
}

/** Polls like Lambda's event source until `done` says so, or fails after `maxPolls`. */
async function pollUntil(queue: QueueWithDlq, handler: DeliveryHandler, done: () => boolean, maxPolls = 15) {
  for (let poll = 0; poll < maxPolls && !done(); poll++) {
    await pollOnce({ sqs: harness.local.sqs, queueUrl: queue.queueUrl, handler, waitTimeSeconds: 1 });
  }
  expect(done()).toBe(true);
}

const messagesIn = (queueName: string) => messageCount(harness.local.server, queueName);

describe("the SQS event source loop", () => {
  test("sends the same Idempotency-Key and body on every attempt: 500, 500, 500, then 200 on attempt 4", async () => {
    const { queue, item, handler, firstRequest } = await enqueue(
      [1, 1, 1],
      inSequence(respond(500), respond(500), respond(500), respond(200)),
    );
    await pollUntil(queue, handler, () => messagesIn(queue.queueName) === 0);

    const requests = consumer.requests.slice(firstRequest);
    expect(requests.map((request) => request.headers["oncegate-attempt"])).toEqual(["1", "2", "3", "4"]);
    expect(new Set(requests.map((request) => request.headers["idempotency-key"]))).toEqual(
      new Set([item.idempotencyKey]),
    );
    for (const request of requests) expect(request.body.equals(Buffer.from(item.payload))).toBe(true);
    const stored = await storedEvent(harness.ddb, harness.eventsTable, item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 4 });
    expect(stored.status).toBe("DELIVERED");
    expect(messagesIn(queue.dlqName)).toBe(0);
  });

  test("moves an always-failing job to the dead-letter queue after the last attempt, with the destination DEAD", async () => {
    const schedule = [1, 1];
    const { queue, item, handler, firstRequest } = await enqueue(schedule, respond(500, "still down"));
    await pollUntil(queue, handler, () => messagesIn(queue.dlqName) === 1);

    expect(consumer.requests.length - firstRequest).toBe(maxAttempts(schedule));
    expect(messagesIn(queue.queueName)).toBe(0);
    const stored = await storedEvent(harness.ddb, harness.eventsTable, item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DEAD", attempts: 3, reason: "http_500" });
    expect(stored.status).toBe("DEAD");

    // An operator redrives the job (SQS sends it anew: its receive count starts over) once the consumer is back.
    consumer.script(respond(200));
    const { sqs } = harness.local;
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 1 }));
    const message = dead.Messages?.[0];
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: message?.Body }));
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queue.dlqUrl, ReceiptHandle: message?.ReceiptHandle }));
    await pollUntil(queue, handler, () => messagesIn(queue.queueName) === 0);
    const redriven = await storedEvent(harness.ddb, harness.eventsTable, item.pk);
    expect(redriven.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 4 });
    expect(redriven.status).toBe("DELIVERED");
  });

  test("reports exactly the job to retry in a batch with one delivered, one retried and one failed job", async () => {
    const outcomes: Record<string, number> = {};
    const reply: Reply = (request, response) => {
      const status = outcomes[request.headers["oncegate-event-id"] ?? ""] ?? 200;
      respond(status)(request, response);
    };
    const { queue, handler } = await enqueue([5], reply);
    // The job enqueue() sent is answered 200; two more events in the same queue get 503 and 400.
    const [retried, failed] = [queuedEvent(["orders"]), queuedEvent(["orders"])];
    outcomes[retried.eventId] = 503;
    outcomes[failed.eventId] = 400;
    const ids: Record<string, string> = {};
    for (const item of [retried, failed]) {
      await putEvent(harness.ddb, harness.eventsTable, item);
      ids[item.eventId] = await sendJob(harness, queue.queueUrl, { pk: item.pk, destination: "orders" });
    }

    const polled = await pollOnce({ sqs: harness.local.sqs, queueUrl: queue.queueUrl, handler, maxMessages: 10 });
    expect(polled.received).toHaveLength(3);
    expect(polled.failed).toEqual([ids[retried.eventId]]);
    expect(polled.deleted).toHaveLength(2);
    expect(messagesIn(queue.queueName)).toBe(1);
  });
});

describe("one queue per destination (a URL template)", () => {
  test("a retried job is hidden for its delay on its own destination's queue, the one it was received from", async () => {
    consumer.script(respond(503));
    const base = `og${crypto.randomUUID().slice(0, 8)}`;
    // A 1-second queue visibility: a job hidden anywhere else than its own queue is back within the second.
    const settings = { maxReceiveCount: 10, visibilityTimeoutSeconds: 1 };
    const orders = await ensureQueueWithDlq(harness.local.sqs, { queueName: `${base}-orders`, ...settings });
    const other = await ensureQueueWithDlq(harness.local.sqs, { queueName: `${base}-other`, ...settings });
    const template = orders.queueUrl.replace(/orders$/, DESTINATION_PLACEHOLDER);
    const item = queuedEvent(["orders"]);
    await putEvent(harness.ddb, harness.eventsTable, item);
    await sendJob(harness, orders.queueUrl, { pk: item.pk, destination: "orders" });
    const handler = harnessHandler(harness, template, {
      config: {
        destinations: [destination("orders", consumer.url), destination("other", consumer.url)],
        retryScheduleSeconds: [60, 60],
      },
    });
    const polled = await pollOnce({ sqs: harness.local.sqs, queueUrl: orders.queueUrl, handler, waitTimeSeconds: 1 });
    expect(polled.received).toHaveLength(1);
    expect(polled.failed).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const again = await pollOnce({ sqs: harness.local.sqs, queueUrl: orders.queueUrl, handler, waitTimeSeconds: 0 });
    expect(again.received).toHaveLength(0);
    expect(harness.logs.at(-1)).toMatchObject({ outcome: "retry", delaySeconds: 60 });
    expect(JSON.stringify(harness.logs.at(-1))).not.toMatch(/ChangeMessageVisibility failed/);
    expect(messagesIn(other.queueName)).toBe(0);
  });
});
