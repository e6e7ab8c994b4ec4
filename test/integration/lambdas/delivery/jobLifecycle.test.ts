import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { DeliveryHandlerOptions } from "../../../../lambdas/delivery/deliveryHandler.ts";
import { problemShardOf } from "../../../../lambdas/shared/indexShards.ts";
import { DEFAULT_SHARDS, putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import {
  createDeliveryQueue,
  type DeliveryHarness,
  destination,
  harnessHandler,
  jobEvent,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { localClient } from "../../../support/dynamoDbTables.ts";
import { countRequests } from "../../../support/requestCounter.ts";
import {
  endlessBody,
  inSequence,
  type Reply,
  respond,
  type ScriptedConsumer,
  startScriptedConsumer,
} from "../../../support/scriptedConsumer.ts";

const SCHEDULE = [1, 1];
const NOW_MS = 1_767_225_600_000;

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

/** A handler delivering to `orders` (and `billing`) on the scripted consumer, at a fixed time. */
function handlerFor(options: Partial<DeliveryHandlerOptions> = {}, timeoutMs = 2_000) {
  return harnessHandler(harness, queueUrl, {
    config: {
      destinations: [
        destination("orders", consumer.url, { timeoutMs }),
        destination("billing", `${consumer.url}/billing`, { timeoutMs }),
      ],
      retryScheduleSeconds: SCHEDULE,
    },
    clock: { nowMs: () => NOW_MS },
    ...options,
  });
}

async function storeEvent(destinationIds: string[], overrides: Parameters<typeof queuedEvent>[1] = {}) {
  const item = queuedEvent(destinationIds, overrides);
  await putEvent(harness.ddb, harness.eventsTable, item);
  return item;
}

const read = (pk: string) => storedEvent(harness.ddb, harness.eventsTable, pk);
const slowly =
  (delayMs: number, reply: Reply): Reply =>
  async (request, response) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await reply(request, response);
  };

describe("recording attempts", () => {
  test("records each attempt and the destination's state in the event", async () => {
    const item = await storeEvent(["orders"]);
    consumer.script(inSequence(slowly(40, respond(503, "overloaded")), respond(200, "thanks")));
    const handler = handlerFor();
    const first = jobEvent({ job: { pk: item.pk, destination: "orders" }, attempt: 1 });
    expect((await handler(first)).batchItemFailures).toHaveLength(1);

    let stored = await read(item.pk);
    expect(stored.attempts).toEqual([
      {
        destination: "orders",
        attempt: 1,
        trigger: "initial",
        atMs: NOW_MS,
        statusCode: 503,
        latencyMs: expect.any(Number),
        responseBodyExcerpt: "overloaded",
      },
    ]);
    expect(stored.attempts[0]?.latencyMs).toBeGreaterThanOrEqual(35);
    expect(stored.destinations.orders).toEqual({
      status: "PENDING",
      attempts: 1,
      lastAttemptAtMs: NOW_MS,
      lastTrigger: "initial",
      lastLatencyMs: stored.attempts[0]?.latencyMs,
      lastStatusCode: 503,
      lastResponseBody: "overloaded",
      reason: "http_503",
      nextAttemptAtMs: expect.any(Number),
      writeToken: expect.any(String),
    });
    // Due one schedule step (1 s) after the attempt ended.
    const dueAtMs = stored.destinations.orders?.nextAttemptAtMs ?? 0;
    expect(dueAtMs - NOW_MS - (stored.attempts[0]?.latencyMs ?? 0)).toBe(1_000);
    expect(stored).toMatchObject({ status: "QUEUED", version: 1 });

    const second = jobEvent({ job: { pk: item.pk, destination: "orders" }, attempt: 2 });
    const later = handlerFor({ clock: { nowMs: () => dueAtMs } });
    expect(await later(second)).toEqual({ batchItemFailures: [] });
    stored = await read(item.pk);
    expect(stored.attempts.map((attempt) => [attempt.attempt, attempt.statusCode])).toEqual([
      [1, 503],
      [2, 200],
    ]);
    expect(stored.destinations.orders).toMatchObject({
      status: "DELIVERED",
      attempts: 2,
      lastResponseBody: "thanks",
      // The settling attempt is the state's own record: no attempt item for it.
      settledByAttempt: 2,
    });
    expect(stored.destinations.orders).not.toHaveProperty("reason");
    expect(stored).toMatchObject({ status: "DELIVERED", version: 2 });
  });

  test("a first-try delivery reads the state, its destination's control and the body once each and settles destination and event in one UpdateItem", async () => {
    const item = await storeEvent(["orders"]);
    consumer.script(respond(200));
    const ddb = localClient();
    const calls = countRequests(ddb);
    expect(await handlerFor({ ddb })(jobEvent({ job: { pk: item.pk, destination: "orders" } }))).toEqual({
      batchItemFailures: [],
    });
    ddb.destroy();
    // State and body (the counter leaves out the destination's control item, read once a second per container and
    // priced apart: test/integration/lambdas/delivery/circuitBreaker.test.ts covers it).
    expect(calls.take()).toEqual(["GetItemCommand", "GetItemCommand", "UpdateItemCommand"]);
    const stored = await read(item.pk);
    expect(stored).toMatchObject({ status: "DELIVERED", version: 1 });
    expect(stored).not.toHaveProperty("problemShard");
    expect(stored.attempts).toEqual([expect.objectContaining({ attempt: 1, statusCode: 200 })]);
  });

  test("a retry puts one attempt item and updates the state; the body is not read for a job that is not due", async () => {
    const item = await storeEvent(["orders"]);
    consumer.script(respond(503));
    const ddb = localClient();
    const calls = countRequests(ddb);
    await handlerFor({ ddb })(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    // The failure's count on the destination's control item is left out by the counter, as above.
    expect(calls.take()).toEqual(["GetItemCommand", "GetItemCommand", "PutItemCommand", "UpdateItemCommand"]);
    // Received again before its delay is over: hidden again, neither POSTed nor its body read.
    await handlerFor({ ddb })(jobEvent({ job: { pk: item.pk, destination: "orders" }, attempt: 2 }));
    ddb.destroy();
    // Not due: decided from the state alone, before the control item is read.
    expect(calls.take()).toEqual(["GetItemCommand"]);
  });

  test("a FAILED or DEAD event enters the problem index under its status, in the settling update", async () => {
    const failed = await storeEvent(["orders"]);
    consumer.script(respond(400));
    await handlerFor()(jobEvent({ job: { pk: failed.pk, destination: "orders" } }));
    expect(await read(failed.pk)).toMatchObject({
      status: "FAILED",
      problemShard: problemShardOf(failed.pk, "FAILED", DEFAULT_SHARDS),
    });
    const dead = await storeEvent(["orders"], {
      destinations: { orders: { status: "PENDING", attempts: SCHEDULE.length, lastStatusCode: 503 } },
    });
    consumer.script(respond(503));
    await handlerFor()(jobEvent({ job: { pk: dead.pk, destination: "orders" }, attempt: 3 }));
    expect(await read(dead.pk)).toMatchObject({
      status: "DEAD",
      problemShard: problemShardOf(dead.pk, "DEAD", DEFAULT_SHARDS),
      destinations: { orders: { status: "DEAD", settledByAttempt: 3 } },
    });
  });

  test("derives the overall status: FAILED once one destination delivered and the other failed", async () => {
    const item = await storeEvent(["orders", "billing"]);
    consumer.script((request, response) => respond(request.path.endsWith("/billing") ? 422 : 200)(request, response));
    const handler = handlerFor();
    await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    expect((await read(item.pk)).status).toBe("QUEUED");
    await handler(jobEvent({ job: { pk: item.pk, destination: "billing" } }));
    const stored = await read(item.pk);
    expect(stored.destinations.orders?.status).toBe("DELIVERED");
    expect(stored.destinations.billing).toMatchObject({ status: "FAILED", reason: "http_422" });
    expect(stored.status).toBe("FAILED");
  });

  test("derives the status right when both destinations settle in the same batch", async () => {
    const item = await storeEvent(["orders", "billing"]);
    consumer.script(respond(204));
    const handler = handlerFor();
    const result = await handler(
      jobEvent({ job: { pk: item.pk, destination: "orders" } }, { job: { pk: item.pk, destination: "billing" } }),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect(await read(item.pk)).toMatchObject({ status: "DELIVERED", version: 2 });
  });

  test("moves an event still RECEIVED (its markQueued not landed yet) to its settled status", async () => {
    const item = await storeEvent(["orders"], { status: "RECEIVED" });
    consumer.script(respond(200));
    await handlerFor()(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    expect((await read(item.pk)).status).toBe("DELIVERED");
  });

  test("leaves an event RECEIVED while a destination is still pending", async () => {
    const item = await storeEvent(["orders", "billing"], { status: "RECEIVED" });
    consumer.script(respond(200));
    await handlerFor()(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    expect(await read(item.pk)).toMatchObject({ status: "RECEIVED" });
  });
});

describe("response bodies", () => {
  test("stores a body larger than 1 KB truncated to its first 1024 bytes", async () => {
    const item = await storeEvent(["orders"]);
    consumer.script(respond(500, "é".repeat(3000)));
    await handlerFor()(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    const stored = await read(item.pk);
    expect(stored.attempts[0]?.responseBodyExcerpt).toBe("é".repeat(512));
    expect(stored.destinations.orders?.lastResponseBody).toBe("é".repeat(512));
  });

  test("does not read a huge endless body to its end", async () => {
    const item = await storeEvent(["orders"]);
    consumer.script(endlessBody(200, 16 * 1024, 1));
    const startedMs = Date.now();
    expect(await handlerFor({}, 5_000)(jobEvent({ job: { pk: item.pk, destination: "orders" } }))).toEqual({
      batchItemFailures: [],
    });
    expect(Date.now() - startedMs).toBeLessThan(2_000);
    expect((await read(item.pk)).attempts[0]?.responseBodyExcerpt).toBe("x".repeat(1024));
  });

  test("stops waiting for a slow body at the timeout, and counts the answer it already has", async () => {
    const item = await storeEvent(["orders"]);
    consumer.script(endlessBody(200, 8, 200));
    const startedMs = Date.now();
    await handlerFor({}, 500)(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    expect(Date.now() - startedMs).toBeLessThan(1_500);
    const stored = await read(item.pk);
    expect(stored.destinations.orders?.status).toBe("DELIVERED");
    expect(stored.attempts[0]?.responseBodyExcerpt).toMatch(/^x{8,}$/);
  });
});
