import { describe, expect, test } from "@jest/globals";
import { markRouted } from "../../../../lambdas/delivery/markRouted.ts";
import { DEFAULT_SHARDS, putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import { deliverySuite, destination, harnessHandler, jobEvent } from "../../../support/deliveryHarness.ts";
import { faultTimes, faultyClient } from "../../../support/dynamoFaults.ts";
import { respond } from "../../../support/scriptedConsumer.ts";

/**
 * An operator routing an event to a destination it was never sent to (`oncegate events replay --destination` on an
 * UNROUTED event, or after a destination was added): `markRouted`, then the job, on DynamoDB Local.
 */
const suite = deliverySuite(5);
const BY = { atMs: 1_767_225_600_000, by: "operator@test" };
const table = (client = suite.harness.ddb) => ({
  client,
  tableName: suite.harness.eventsTable,
  shards: DEFAULT_SHARDS,
});
const read = (pk: string) => storedEvent(suite.harness.ddb, suite.harness.eventsTable, pk);

async function unrouted() {
  const item = queuedEvent([], { status: "UNROUTED" });
  await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
  return item;
}

describe("markRouted", () => {
  test("adds the destination PENDING and moves the event to QUEUED; its job then delivers it once", async () => {
    const item = await unrouted();
    expect(await markRouted(table(), item.pk, "orders", BY)).toEqual({ kind: "routed" });
    const routed = await read(item.pk);
    expect(routed.status).toBe("QUEUED");
    expect(routed.version).toBe(1);
    expect(routed.destinations.orders).toMatchObject({
      status: "PENDING",
      attempts: 0,
      roundTrigger: "replay",
      replays: 1,
      lastReplay: BY,
    });
    suite.consumer.script(respond(200));
    const before = suite.consumer.requests.length;
    const handler = harnessHandler(suite.harness, suite.queueUrl, {
      config: { destinations: [destination("orders", suite.consumer.url)], retryScheduleSeconds: [1, 1] },
    });
    await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    const delivered = await read(item.pk);
    expect(delivered.status).toBe("DELIVERED");
    expect(delivered.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 1 });
    const posts = suite.consumer.requests.slice(before);
    expect(posts).toHaveLength(1);
    // The destination's first attempt: it never had one before.
    expect(posts[0]?.headers["oncegate-attempt"]).toBe("1");
  });

  test("an answer lost after the update applied: the SDK's retry finds its own write, the event is routed once", async () => {
    const item = await unrouted();
    const faulty = faultyClient(faultTimes("lost_answer", 1, (call) => call.commandName === "UpdateItemCommand"));
    expect(await markRouted(table(faulty.client), item.pk, "orders", BY)).toEqual({ kind: "routed" });
    faulty.client.destroy();
    expect(faulty.injected).toMatchObject([{ kind: "lost_answer", applied: true }]);
    const routed = await read(item.pk);
    expect(routed.version).toBe(1);
    expect(routed.status).toBe("QUEUED");
    expect(routed.destinations.orders).toMatchObject({ status: "PENDING", replays: 1 });
  });

  test("two operators at once: the destination is added once", async () => {
    const item = await unrouted();
    const marks = await Promise.all([
      markRouted(table(), item.pk, "orders", BY),
      markRouted(table(), item.pk, "orders", { ...BY, by: "other@test" }),
    ]);
    expect(marks.map(({ kind }) => kind).sort()).toEqual(expect.arrayContaining(["routed"]));
    const routed = await read(item.pk);
    expect(routed.version).toBe(1);
    expect(Object.keys(routed.destinations)).toEqual(["orders"]);
    expect(routed.destinations.orders?.replays).toBe(1);
  });

  test("adds a new destination to a settled FAILED event: QUEUED again, out of the problem index", async () => {
    const item = queuedEvent(["orders"], {
      status: "FAILED",
      problemShard: "f#0",
      destinations: { orders: { status: "FAILED", attempts: 1, reason: "client_error" } },
    });
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
    expect(await markRouted(table(), item.pk, "erp", BY)).toEqual({ kind: "routed" });
    const routed = await read(item.pk);
    expect(routed.status).toBe("QUEUED");
    expect(routed).not.toHaveProperty("problemShard");
    expect(routed.destinations.orders?.status).toBe("FAILED");
  });

  test("leaves an event being accepted, one that has the destination, and a missing one", async () => {
    const receiving = queuedEvent(["orders"], { status: "RECEIVED" });
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, receiving);
    expect(await markRouted(table(), receiving.pk, "erp", BY)).toEqual({ kind: "receiving" });
    const queued = queuedEvent(["orders"]);
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, queued);
    expect(await markRouted(table(), queued.pk, "orders", BY)).toEqual({ kind: "present" });
    expect(await markRouted(table(), "stripe#evt_never", "orders", BY)).toEqual({ kind: "missing" });
    expect((await read(receiving.pk)).version).toBe(0);
    expect((await read(queued.pk)).version).toBe(0);
  });
});
