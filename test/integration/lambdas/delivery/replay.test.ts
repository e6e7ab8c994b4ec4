import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { REDRIVE_ATTEMPTS } from "../../../../lambdas/delivery/attemptPlan.ts";
import { markRedriven } from "../../../../lambdas/delivery/markRedriven.ts";
import { markReplayed } from "../../../../lambdas/delivery/markReplayed.ts";
import { DEFAULT_SHARDS, putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import {
  createDeliveryQueue,
  type DeliveryHarness,
  destination,
  harnessHandler,
  sendJob,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { localSqsClient, type QueueWithDlq } from "../../../support/fauxqs.ts";
import { respond, type ScriptedConsumer, startScriptedConsumer } from "../../../support/scriptedConsumer.ts";
import { pollOnce } from "../../../support/sqsEventSourceLoop.ts";
import { enforceVisibilityRules, manualClock } from "../../../support/sqsVisibilityRules.ts";

/**
 * An operator's replay (`oncegate events replay`), as the delivery Lambda sees it: `markReplayed` reopens a settled
 * destination, a job is sent, and the next POST carries the same Idempotency-Key and webhook-id, the next attempt
 * number and `Oncegate-Attempt-Trigger: replay`. The attempt history is never reset.
 */

const SCHEDULE = [5, 300];
const T0 = 1_767_225_600_000;
const HOUR_MS = 3_600_000;
const BY = { atMs: T0, by: "operator@test" };

let harness: DeliveryHarness;
let consumer: ScriptedConsumer;
let queue: QueueWithDlq;
// A backstop of the schedule's attempts: a dead job reaches the DLQ on its next receive, as it does within seconds
// on a real queue (it is hastened, visibility 0), before an operator redrives it.
let shortQueue: QueueWithDlq;
beforeAll(async () => {
  harness = await startDeliveryHarness();
  consumer = await startScriptedConsumer();
  queue = await createDeliveryQueue(harness, 50);
  shortQueue = await createDeliveryQueue(harness, SCHEDULE.length + 1);
});
afterAll(async () => {
  await consumer.close();
  await harness.stop();
});

function rig(on: QueueWithDlq = queue) {
  const clock = manualClock(T0);
  const sqs = localSqsClient(harness.local.endpoint);
  enforceVisibilityRules(sqs, clock, { fastForward: true });
  const handler = harnessHandler(harness, on.queueUrl, {
    config: { destinations: [destination("orders", consumer.url)], retryScheduleSeconds: SCHEDULE },
    clock,
    sqs,
    maxReceiveCount: 50,
  });
  return { clock, poll: () => pollOnce({ sqs, queueUrl: on.queueUrl, handler }) };
}

const table = () => ({ client: harness.ddb, tableName: harness.eventsTable, shards: DEFAULT_SHARDS });
const read = (pk: string) => storedEvent(harness.ddb, harness.eventsTable, pk);

async function receive(poll: () => ReturnType<typeof pollOnce>) {
  for (let tries = 0; tries < 50; tries++) {
    if ((await poll()).received.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  throw new Error("the job never came back");
}

async function deliveredOnce(on: QueueWithDlq = queue) {
  const item = queuedEvent(["orders"]);
  await putEvent(harness.ddb, harness.eventsTable, item);
  await sendJob(harness, on.queueUrl, { pk: item.pk, destination: "orders" });
  return item;
}

describe("a replay", () => {
  test("of a DELIVERED destination POSTs again with the same key, the next attempt number and the replay trigger", async () => {
    const { poll } = rig();
    consumer.script(respond(200));
    const item = await deliveredOnce();
    await receive(poll);
    expect((await read(item.pk)).status).toBe("DELIVERED");
    const first = consumer.requests.at(-1);
    expect(first?.headers["oncegate-attempt-trigger"]).toBe("initial");

    expect(await markReplayed(table(), item.pk, "orders", BY, SCHEDULE)).toEqual({
      kind: "replayed",
      previous: "DELIVERED",
    });
    const reopened = await read(item.pk);
    // QUEUED while it is delivered again; the first attempt is still listed.
    expect(reopened.status).toBe("QUEUED");
    expect(reopened.destinations.orders).toMatchObject({ status: "PENDING", attempts: 1, replays: 1, lastReplay: BY });
    expect(reopened.attempts.map((attempt) => attempt.trigger)).toEqual(["initial"]);
    // Asked again before its job was delivered (the send may have failed): the job is to be sent again.
    expect(await markReplayed(table(), item.pk, "orders", BY, SCHEDULE)).toEqual({ kind: "awaiting" });
    expect((await read(item.pk)).destinations.orders).toEqual(reopened.destinations.orders);

    await sendJob(harness, queue.queueUrl, { pk: item.pk, destination: "orders" });
    await receive(poll);
    const replayed = consumer.requests.at(-1);
    expect(replayed?.headers).toMatchObject({
      "idempotency-key": item.idempotencyKey,
      "webhook-id": item.idempotencyKey,
      "oncegate-attempt": "2",
      "oncegate-attempt-trigger": "replay",
    });
    expect(replayed?.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
    const after = await read(item.pk);
    expect(after.status).toBe("DELIVERED");
    expect(after.attempts.map(({ attempt, trigger, statusCode }) => ({ attempt, trigger, statusCode }))).toEqual([
      { attempt: 1, trigger: "initial", statusCode: 200 },
      { attempt: 2, trigger: "replay", statusCode: 200 },
    ]);
  });

  test("of a FAILED destination opens a round of retries: only its first attempt is marked replay", async () => {
    const { clock, poll } = rig();
    consumer.script(respond(400, "bad field"));
    const item = await deliveredOnce();
    await receive(poll);
    expect((await read(item.pk)).destinations.orders).toMatchObject({ status: "FAILED", attempts: 1 });

    expect((await markReplayed(table(), item.pk, "orders", BY, SCHEDULE)).kind).toBe("replayed");
    consumer.script(respond(503));
    await sendJob(harness, queue.queueUrl, { pk: item.pk, destination: "orders" });
    for (let attempt = 1; attempt <= REDRIVE_ATTEMPTS; attempt++) {
      await receive(poll);
      clock.advance(HOUR_MS);
    }
    const after = await read(item.pk);
    expect(after.destinations.orders).toMatchObject({ status: "DEAD", attempts: 1 + REDRIVE_ATTEMPTS });
    expect(after.attempts.map((attempt) => attempt.trigger)).toEqual(["initial", "replay", "retry", "retry"]);
    expect(consumer.requests.slice(-REDRIVE_ATTEMPTS).map((r) => r.headers["oncegate-attempt-trigger"])).toEqual([
      "replay",
      "retry",
      "retry",
    ]);
  });

  test("survives a lost answer: the reopening update applied, its answer lost, the SDK's retry sees its own write", async () => {
    const { poll } = rig();
    consumer.script(respond(400));
    const item = await deliveredOnce();
    await receive(poll);
    expect((await read(item.pk)).destinations.orders?.status).toBe("FAILED");
    // The first UpdateItem is applied, then its answer is lost: the SDK retries the same conditional update.
    // Retries on, as the gateway's and the CLI's clients have them.
    const ddb = new DynamoDBClient({ maxAttempts: 3 });
    let lost = 0;
    ddb.middlewareStack.add(
      (next, context) => async (args) => {
        const output = await next(args);
        if (context.commandName === "UpdateItemCommand" && lost === 0) {
          lost += 1;
          throw Object.assign(new Error("injected: answer lost after it applied"), {
            name: "TimeoutError",
            $metadata: {},
          });
        }
        return output;
      },
      { step: "finalizeRequest", priority: "low", name: "loseFirstAnswer" },
    );
    const faulted = { client: ddb, tableName: harness.eventsTable, shards: DEFAULT_SHARDS };
    expect(await markReplayed(faulted, item.pk, "orders", BY, SCHEDULE)).toEqual({
      kind: "replayed",
      previous: "FAILED",
    });
    ddb.destroy();
    expect(lost).toBe(1);
    const after = await read(item.pk);
    // One reopening, not two: one more round, one replay counted, the event QUEUED.
    expect(after.destinations.orders).toMatchObject({
      status: "PENDING",
      attempts: 1,
      replays: 1,
      attemptLimit: 1 + REDRIVE_ATTEMPTS,
    });
    expect(after.status).toBe("QUEUED");
  });

  test("of a PENDING destination writes nothing: it is being delivered", async () => {
    const item = queuedEvent(["orders"]);
    await putEvent(harness.ddb, harness.eventsTable, item);
    const before = await read(item.pk);
    expect(await markReplayed(table(), item.pk, "orders", BY, SCHEDULE)).toEqual({ kind: "pending" });
    expect(await read(item.pk)).toEqual(before);
  });

  test("of an event that is not stored says so", async () => {
    expect(await markReplayed(table(), "stripe#evt_never", "orders", BY, SCHEDULE)).toEqual({ kind: "missing" });
  });

  test("a redrive's first attempt is marked redrive", async () => {
    const { clock, poll } = rig(shortQueue);
    consumer.script(respond(503));
    const item = await deliveredOnce(shortQueue);
    for (let attempt = 1; attempt <= SCHEDULE.length + 1; attempt++) {
      await receive(poll);
      clock.advance(HOUR_MS);
    }
    expect((await read(item.pk)).destinations.orders?.status).toBe("DEAD");
    await poll(); // the dead job moves to the DLQ
    expect((await markRedriven(table(), item.pk, "orders", SCHEDULE)).kind).toBe("redriven");
    consumer.script(respond(200));
    await sendJob(harness, shortQueue.queueUrl, { pk: item.pk, destination: "orders" });
    await receive(poll);
    const after = await read(item.pk);
    expect(after.attempts.map((attempt) => attempt.trigger)).toEqual(["initial", "retry", "retry", "redrive"]);
    expect(consumer.requests.at(-1)?.headers["oncegate-attempt-trigger"]).toBe("redrive");
  });
});
