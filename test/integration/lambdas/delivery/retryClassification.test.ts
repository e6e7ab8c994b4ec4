import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import {
  createDeliveryQueue,
  type DeliveryHarness,
  destination,
  harnessHandler,
  sendJob,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { receiveAll } from "../../../support/fauxqs.ts";
import {
  hang,
  type Reply,
  refusingUrl,
  respond,
  type ScriptedConsumer,
  startScriptedConsumer,
} from "../../../support/scriptedConsumer.ts";
import { pollOnce } from "../../../support/sqsEventSourceLoop.ts";

// With `random` pinned to 0.5 there is no jitter: a retry waits exactly the schedule's entry (2 s after the first
// attempt), and a throttled one (429, timeout) exactly the floor times 1.1 (3.3 s, rounded to 3 s).
const SCHEDULE = [2, 4];
const THROTTLE_FLOOR_SECONDS = 3;

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

/** Sends one job for a fresh event through a fresh queue and one poll; returns what is needed to look at it. */
async function deliverOnce(reply: Reply, url = consumer.url) {
  consumer.script(reply);
  const queue = await createDeliveryQueue(harness, SCHEDULE.length + 1);
  const item = queuedEvent(["orders"]);
  await putEvent(harness.ddb, harness.eventsTable, item);
  await sendJob(harness, queue.queueUrl, { pk: item.pk, destination: "orders" });
  const handler = harnessHandler(harness, queue.queueUrl, {
    config: {
      destinations: [destination("orders", url, { timeoutMs: 300 })],
      retryScheduleSeconds: SCHEDULE,
      minDelayAfterThrottleSeconds: THROTTLE_FLOOR_SECONDS,
    },
  });
  const polled = await pollOnce({ sqs: harness.local.sqs, queueUrl: queue.queueUrl, handler });
  const polledAtMs = Date.now();
  const stored = await storedEvent(harness.ddb, harness.eventsTable, item.pk);
  return { queue, item, polled, polledAtMs, stored, inspect: () => harness.local.server.inspectQueue(queue.queueName) };
}

/** Seconds until the in-flight message becomes receivable again, as the emulator holds it. */
function hiddenForSeconds(inspected: ReturnType<typeof harness.local.server.inspectQueue>, fromMs: number): number {
  const inflight = inspected?.messages.inflight ?? [];
  expect(inflight).toHaveLength(1);
  return ((inflight[0]?.visibilityDeadline ?? 0) - fromMs) / 1000;
}

describe("retryable outcomes", () => {
  test.each([
    ["503", respond(503, "busy"), 2, "http_503"],
    ["409 (the consumer is still processing the key)", respond(409), 2, "http_409"],
    ["429", respond(429), THROTTLE_FLOOR_SECONDS, "http_429"],
    ["302 (redirects are not followed)", respond(302, "", { location: "http://127.0.0.1:1/elsewhere" }), 2, "http_302"],
  ])("retries a %s: reports the job and hides it for the policy's delay", async (_name, reply, delay, reason) => {
    const { polled, polledAtMs, stored, inspect, queue } = await deliverOnce(reply);
    expect(polled.failed).toEqual(polled.received);
    expect(hiddenForSeconds(inspect(), polledAtMs)).toBeCloseTo(delay, 0);
    expect(await receiveAll(harness.local.sqs, queue.queueUrl, false)).toEqual([]);
    expect(stored.destinations.orders).toMatchObject({ status: "PENDING", attempts: 1, reason });
    expect(stored.status).toBe("QUEUED");
  });

  test("retries a timeout after at least the throttle floor", async () => {
    const { polled, polledAtMs, stored, inspect } = await deliverOnce(hang);
    expect(polled.failed).toHaveLength(1);
    expect(hiddenForSeconds(inspect(), polledAtMs)).toBeCloseTo(THROTTLE_FLOOR_SECONDS, 0);
    expect(stored.destinations.orders).toMatchObject({ status: "PENDING", reason: "timeout" });
    expect(stored.attempts[0]).toMatchObject({ attempt: 1, error: "timeout" });
    expect(stored.attempts[0]).not.toHaveProperty("statusCode");
  });

  test("retries a refused connection", async () => {
    const { polled, polledAtMs, stored, inspect } = await deliverOnce(respond(200), await refusingUrl());
    expect(polled.failed).toHaveLength(1);
    expect(hiddenForSeconds(inspect(), polledAtMs)).toBeCloseTo(2, 0);
    expect(stored.destinations.orders).toMatchObject({ status: "PENDING", reason: "network_error:ECONNREFUSED" });
  });

  test("makes the job receivable again once the delay is over, as attempt 2", async () => {
    const { queue } = await deliverOnce(respond(503));
    expect(await receiveAll(harness.local.sqs, queue.queueUrl, false)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 2_300));
    consumer.script(respond(200));
    const handler = harnessHandler(harness, queue.queueUrl, {
      config: { destinations: [destination("orders", consumer.url)], retryScheduleSeconds: SCHEDULE },
    });
    const seen = consumer.requests.length;
    const polled = await pollOnce({ sqs: harness.local.sqs, queueUrl: queue.queueUrl, handler });
    expect(polled.deleted).toHaveLength(1);
    expect(consumer.requests.slice(seen).map((request) => request.headers["oncegate-attempt"])).toEqual(["2"]);
  });
});

describe("permanent outcomes", () => {
  test.each([400, 422])("fails a %s after one attempt and deletes the job", async (status) => {
    const { polled, stored, inspect } = await deliverOnce(respond(status, "nope"));
    expect(polled.failed).toEqual([]);
    expect(polled.deleted).toEqual(polled.received);
    expect(inspect()?.messages).toEqual({ ready: [], delayed: [], inflight: [] });
    expect(stored.destinations.orders).toMatchObject({ status: "FAILED", attempts: 1, reason: `http_${status}` });
    expect(stored.destinations.orders).not.toHaveProperty("flagged");
    expect(stored.status).toBe("FAILED");
  });

  test("fails a 410 and flags the destination as gone", async () => {
    const { polled, stored } = await deliverOnce(respond(410));
    expect(polled.deleted).toHaveLength(1);
    expect(stored.destinations.orders).toMatchObject({ status: "FAILED", flagged: true, reason: "gone" });
    expect(stored.attempts).toEqual([expect.objectContaining({ destination: "orders", statusCode: 410 })]);
  });
});
