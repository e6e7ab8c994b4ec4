import { describe, expect, test } from "@jest/globals";
import { REDRIVE_ATTEMPTS } from "../../../../lambdas/delivery/attemptPlan.ts";
import { markRedriven } from "../../../../lambdas/delivery/markRedriven.ts";
import type { DestinationState } from "../../../../lambdas/shared/eventRecord.ts";
import { DEFAULT_SHARDS, putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import { deliverySuite, destination, harnessHandler, jobEvent } from "../../../support/deliveryHarness.ts";
import { respond } from "../../../support/scriptedConsumer.ts";

const SCHEDULE = [1, 1];
const suite = deliverySuite(SCHEDULE.length + 1);

const dead: DestinationState = {
  status: "DEAD",
  attempts: 3,
  reason: "http_503",
  deadMessageId: "the-message-that-died",
  lastStatusCode: 503,
};

async function storeEvent(destinations: Record<string, DestinationState>, status: "DEAD" | "QUEUED" = "DEAD") {
  const item = queuedEvent(Object.keys(destinations), { destinations, status });
  await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
  return item;
}

const table = () => ({ client: suite.harness.ddb, tableName: suite.harness.eventsTable, shards: DEFAULT_SHARDS });
const read = (pk: string) => storedEvent(suite.harness.ddb, suite.harness.eventsTable, pk);

describe("markRedriven", () => {
  test("moves a DEAD destination to PENDING with one more round, and the event from DEAD to QUEUED", async () => {
    const item = await storeEvent({ orders: dead });

    expect(await markRedriven(table(), item.pk, "orders", SCHEDULE)).toEqual({ kind: "redriven", previous: "DEAD" });
    const stored = await read(item.pk);
    expect(stored.status).toBe("QUEUED");
    expect(stored.destinations.orders).toMatchObject({
      status: "PENDING",
      attempts: 3,
      roundStartAttempts: 3,
      attemptLimit: 3 + REDRIVE_ATTEMPTS,
      redrives: 1,
    });
    expect(stored.destinations.orders?.deadMessageId).toBeUndefined();
    expect(stored.destinations.orders?.reason).toBeUndefined();
  });

  test("writes nothing a second time: an already redriven destination is pending", async () => {
    const item = await storeEvent({ orders: dead });
    await markRedriven(table(), item.pk, "orders", SCHEDULE);
    const version = (await read(item.pk)).version;

    expect(await markRedriven(table(), item.pk, "orders", SCHEDULE)).toEqual({ kind: "pending" });
    expect((await read(item.pk)).version).toBe(version);
  });

  test("leaves DELIVERED and FAILED alone, and says when the event is gone", async () => {
    const item = await storeEvent({
      orders: { status: "DELIVERED", attempts: 1 },
      billing: { status: "FAILED", attempts: 1 },
    });
    const version = (await read(item.pk)).version;

    expect(await markRedriven(table(), item.pk, "orders")).toEqual({ kind: "settled", status: "DELIVERED" });
    expect(await markRedriven(table(), item.pk, "billing")).toEqual({ kind: "settled", status: "FAILED" });
    expect((await read(item.pk)).version).toBe(version);
    expect(await markRedriven(table(), "stripe#evt_never_accepted", "orders")).toEqual({ kind: "missing" });
  });

  test("keeps the event DEAD only while another destination is still DEAD", async () => {
    const item = await storeEvent({ orders: dead, billing: { ...dead, deadMessageId: "another" } });
    await markRedriven(table(), item.pk, "orders", SCHEDULE);
    expect((await read(item.pk)).status).toBe("QUEUED");
  });

  test("lets the delivery Lambda deliver the re-sent job as any job of a PENDING destination", async () => {
    const item = await storeEvent({ orders: dead });
    await markRedriven(table(), item.pk, "orders", SCHEDULE);
    suite.consumer.script(respond(200));
    const handler = harnessHandler(suite.harness, suite.queueUrl, {
      config: { destinations: [destination("orders", suite.consumer.url)], retryScheduleSeconds: SCHEDULE },
    });

    const before = suite.consumer.requests.length;
    const out = await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    expect(out.batchItemFailures).toEqual([]);
    expect(suite.consumer.requests.length - before).toBe(1);
    const stored = await read(item.pk);
    expect(stored.status).toBe("DELIVERED");
    expect(stored.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 4, redrives: 1 });
  });
});
