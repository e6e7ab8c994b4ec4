import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { REDRIVE_ATTEMPTS } from "../../../../lambdas/delivery/attemptPlan.ts";
import type { DeliveryHandlerOptions } from "../../../../lambdas/delivery/deliveryHandler.ts";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import {
  createDeliveryQueue,
  type DeliveryHarness,
  destination,
  harnessHandler,
  sendJob,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { localClient } from "../../../support/dynamoDbTables.ts";
import { localSqsClient, messageCount, type QueueWithDlq } from "../../../support/fauxqs.ts";
import {
  inSequence,
  respond,
  type ScriptedConsumer,
  startScriptedConsumer,
} from "../../../support/scriptedConsumer.ts";
import { pollOnce } from "../../../support/sqsEventSourceLoop.ts";
import { enforceVisibilityRules, manualClock } from "../../../support/sqsVisibilityRules.ts";

// Attempts at 5 s and 300 s: the test clock is moved by hand, SQS's visibility is fast-forwarded.
const SCHEDULE = [5, 300];
const T0 = 1_767_225_600_000;
const HOUR_MS = 3_600_000;

let harness: DeliveryHarness;
let consumer: ScriptedConsumer;
// The stack's queue: maxReceiveCount a generous backstop (`maxReceiveCountFor`), far above the attempts.
const BACKSTOP = 50;
let queue: QueueWithDlq;
// A queue whose backstop is the schedule's attempts, so a dead job reaches the DLQ on the next receive.
let shortQueue: QueueWithDlq;
beforeAll(async () => {
  harness = await startDeliveryHarness();
  consumer = await startScriptedConsumer();
  queue = await createDeliveryQueue(harness, BACKSTOP);
  shortQueue = await createDeliveryQueue(harness, SCHEDULE.length + 1);
});
afterAll(async () => {
  await consumer.close();
  await harness.stop();
});

/** A handler on an SQS client that refuses what real SQS refuses, and a clock the test moves. */
function rig(options: Partial<DeliveryHandlerOptions> = {}, on: QueueWithDlq = queue) {
  const clock = manualClock(T0);
  const sqs = localSqsClient(harness.local.endpoint);
  const rules = enforceVisibilityRules(sqs, clock, { fastForward: true });
  const handler = harnessHandler(harness, on.queueUrl, {
    config: { destinations: [destination("orders", consumer.url)], retryScheduleSeconds: SCHEDULE },
    clock,
    sqs,
    maxReceiveCount: BACKSTOP,
    ...options,
  });
  const poll = () => pollOnce({ sqs, queueUrl: on.queueUrl, handler });
  return { clock, sqs, rules, handler, poll };
}

async function queuedJob(overrides: Parameters<typeof queuedEvent>[1] = {}, on: QueueWithDlq = queue) {
  const item = queuedEvent(["orders"], overrides);
  await putEvent(harness.ddb, harness.eventsTable, item);
  await sendJob(harness, on.queueUrl, { pk: item.pk, destination: "orders" });
  return item;
}
const dlqCount = (on: QueueWithDlq) => messageCount(harness.local.server, on.dlqName);
const read = (pk: string) => storedEvent(harness.ddb, harness.eventsTable, pk);

/** Polls until a poll receives the job (fauxqs may hold it for a moment after a 0 s visibility). */
async function receive(poll: () => ReturnType<typeof pollOnce>) {
  for (let tries = 0; tries < 50; tries++) {
    const result = await poll();
    if (result.received.length > 0) return result;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error("the job never came back");
}

describe("attempts are counted in the event, not in SQS receives", () => {
  test("survives a store outage of many receives before the POST: no attempt spent, delivered as attempt 1", async () => {
    const item = await queuedJob();
    let storeDown = true;
    const ddb = localClient();
    ddb.middlewareStack.add(
      (next) => async (args) => {
        if (storeDown) throw Object.assign(new Error("unreachable"), { name: "TimeoutError", $metadata: {} });
        return next(args);
      },
      { step: "initialize", name: "storeOutage" },
    );
    consumer.script(respond(200));
    const { rules, poll } = rig({ ddb });
    // Three times the receives the old stack allowed, all failing on the store.
    for (let receive = 1; receive <= 3 * (SCHEDULE.length + 1); receive++) await receiveOnce(poll);
    storeDown = false;
    const before = consumer.requests.length;
    await receive(poll);
    ddb.destroy();
    expect(consumer.requests.length - before).toBe(1);
    expect(consumer.requests.at(-1)?.headers["oncegate-attempt"]).toBe("1");
    expect((await read(item.pk)).destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 1 });
    expect(dlqCount(queue)).toBe(0);
    // Each failed receive backed off, exponentially: 10 s, 20 s, 40 s… (±20 %), capped.
    const backoffs = rules.accepted.map((call) => call.seconds);
    expect(backoffs.slice(0, 3)).toEqual([10, 20, 40]);
    expect(Math.max(...backoffs)).toBeLessThanOrEqual(900 * 1.2);
    expect(rules.refused).toEqual([]);
  });

  async function receiveOnce(poll: () => ReturnType<typeof pollOnce>) {
    const result = await receive(poll);
    expect(result.failed).toHaveLength(1);
  }
});

describe("delays longer than one receive may hide a message", () => {
  test("serves a 24-hour Retry-After over several receives, never asking SQS for more than 12 h from the receive", async () => {
    const item = await queuedJob();
    consumer.script(inSequence(respond(503, "", { "retry-after": "86400" }), respond(200)));
    const { clock, rules, poll } = rig();
    await receive(poll);
    expect(
      consumer.requests.filter((request) => request.headers["idempotency-key"] === item.idempotencyKey),
    ).toHaveLength(1);
    // Each receive waits as long as SQS allows, then finds the attempt not due and hides it again: no POST.
    let receives = 1;
    while ((await read(item.pk)).destinations.orders?.status === "PENDING" && receives < 6) {
      const last = rules.accepted.at(-1)?.seconds ?? 0;
      clock.advance(last * 1000);
      await receive(poll);
      receives++;
    }
    const stored = await read(item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 2 });
    expect(stored.attempts.map((entry) => entry.attempt)).toEqual([1, 2]);
    expect(rules.refused).toEqual([]);
    // 24 h in hops of at most 12 h from each receive: three receives after the first.
    expect(receives).toBe(4);
    expect(Math.max(...rules.accepted.map((call) => call.seconds))).toBeLessThanOrEqual(43_200);
    expect(clock.nowMs() - T0).toBeGreaterThanOrEqual(24 * HOUR_MS);
  });

  test("never asks for a visibility ending past 12 h after the receive when a 12-hour delay is asked seconds in", async () => {
    await queuedJob();
    consumer.script(respond(503, "", { "retry-after": "43200" }));
    const { rules, poll } = rig();
    await receive(poll);
    expect(rules.refused).toEqual([]);
    expect(rules.accepted.at(-1)?.seconds).toBeLessThan(43_200);
  });
});

describe("redrive", () => {
  test("the message that died, received again, is hastened to the DLQ without a POST; a redriven copy gets 3 more attempts", async () => {
    const item = await queuedJob({ destinations: { orders: { status: "PENDING", attempts: 0 } } }, shortQueue);
    consumer.script(respond(500));
    const { clock, poll } = rig({}, shortQueue);
    // The first round: 3 attempts (schedule of 2 delays), then DEAD.
    for (let attempt = 1; attempt <= SCHEDULE.length + 1; attempt++) {
      await receive(poll);
      clock.advance(HOUR_MS);
    }
    let stored = await read(item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DEAD", attempts: 3, reason: "http_500" });
    expect(stored.status).toBe("DEAD");
    // The dead job was kept visible: SQS moves it to the DLQ on its next receive (maxReceiveCount 3 here).
    await poll();
    expect(dlqCount(shortQueue)).toBe(1);

    // An operator redrives it: a new message (SQS gives redriven messages a new id).
    await sendJob(harness, shortQueue.queueUrl, { pk: item.pk, destination: "orders" });
    const posts = consumer.requests.length;
    for (let attempt = 1; attempt <= REDRIVE_ATTEMPTS; attempt++) {
      await receive(poll);
      clock.advance(HOUR_MS);
    }
    stored = await read(item.pk);
    expect(consumer.requests.length - posts).toBe(REDRIVE_ATTEMPTS);
    expect(stored.destinations.orders).toMatchObject({
      status: "DEAD",
      attempts: 3 + REDRIVE_ATTEMPTS,
      attemptLimit: 3 + REDRIVE_ATTEMPTS,
      redrives: 1,
    });
    expect(consumer.requests.at(-1)?.headers["oncegate-attempt"]).toBe(String(3 + REDRIVE_ATTEMPTS));
  });
});
