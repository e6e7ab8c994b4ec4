import { describe, expect, test } from "@jest/globals";
import { readDestinationControl, updateDestinationControl } from "../../../../lambdas/shared/destinationControl.ts";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import { deliverySuite, destination, harnessHandler, jobEvent } from "../../../support/deliveryHarness.ts";
import { respond } from "../../../support/scriptedConsumer.ts";

const suite = deliverySuite(50);
const BREAKER = {
  consecutiveFailures: 3,
  failureRatePercent: 100,
  windowSeconds: 60,
  minimumAttempts: 1000,
  probeAfterSeconds: 30,
  maxProbeAfterSeconds: 120,
};

/** A destination of its own per test: the control item is per destination and outlives a test. */
let destinations = 0;
function freshDestination(): string {
  destinations += 1;
  return `breaker-${destinations}`;
}

function setUp(id: string, nowMs: { value: number }, breaker: typeof BREAKER | false = BREAKER) {
  const handler = harnessHandler(suite.harness, suite.queueUrl, {
    config: {
      destinations: [destination(id, suite.consumer.url, { circuitBreaker: breaker })],
      retryScheduleSeconds: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    },
    clock: { nowMs: () => nowMs.value },
  });
  const table = { client: suite.harness.ddb, tableName: suite.harness.eventsTable };
  return { handler, control: () => readDestinationControl(table, id, { consistent: true }), table };
}

async function queuedEvents(id: string, count: number) {
  const items = Array.from({ length: count }, () => queuedEvent([id]));
  for (const item of items) await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
  return items;
}

async function attemptsOf(pk: string, id: string): Promise<number> {
  return (await storedEvent(suite.harness.ddb, suite.harness.eventsTable, pk)).destinations[id]?.attempts ?? 0;
}

describe("circuit breaker", () => {
  test("opens after N failures in a row, then holds jobs without consuming attempts, probes once, and closes", async () => {
    const id = freshDestination();
    const now = { value: Date.now() };
    const { handler, control } = setUp(id, now);
    const items = await queuedEvents(id, 6);
    suite.consumer.script(respond(503, "down"));
    const before = suite.consumer.requests.length;
    // Three failures in a row (three events, one attempt each) open it.
    for (const item of items.slice(0, 3)) {
      await handler(jobEvent({ job: { pk: item.pk, destination: id } }));
      now.value += 1_500;
    }
    const opened = await control();
    expect(opened).toMatchObject({ circuit: "open", consecutiveFailures: 3, probeDelaySeconds: 30 });
    expect(opened.history.map((change) => [change.change, change.reason])).toEqual([["opened", "http_503"]]);
    expect(suite.harness.logs).toContainEqual(expect.objectContaining({ msg: "oncegate.delivery.circuit_opened" }));

    // Open: the other events' jobs are held until the probe is due; nothing is POSTed, no attempt is counted.
    const held = await handler(jobEvent(...items.slice(3).map((item) => ({ job: { pk: item.pk, destination: id } }))));
    expect(held.batchItemFailures).toHaveLength(3);
    expect(suite.consumer.requests.length - before).toBe(3);
    for (const item of items.slice(3)) expect(await attemptsOf(item.pk, id)).toBe(0);
    const holds = suite.harness.logs.filter((line) => line.destination === id && line.outcome === "held");
    expect(holds).toHaveLength(3);
    // Hidden until the probe: 30 s after opening, less the 1.5 s the clock moved since.
    for (const line of holds) expect(line).toMatchObject({ reason: "circuit_open", delaySeconds: 29 });

    // The probe is due: of two jobs received together, exactly one is attempted; it fails, the wait doubles.
    now.value = (opened.probeAtMs ?? 0) + 10;
    await handler(
      jobEvent(
        { job: { pk: items[3]?.pk ?? "", destination: id } },
        { job: { pk: items[4]?.pk ?? "", destination: id } },
      ),
    );
    expect(suite.consumer.requests.length - before).toBe(4);
    const reopened = await control();
    expect(reopened).toMatchObject({ circuit: "open", probeDelaySeconds: 60 });
    expect(reopened.probeAtMs).toBe(now.value + 60_000);
    expect(reopened.history.at(-1)).toMatchObject({ change: "probe_failed", reason: "http_503" });

    // It answers again: the next probe closes the circuit, and the held jobs go through.
    suite.consumer.script(respond(200, "ok"));
    now.value = (reopened.probeAtMs ?? 0) + 10;
    await handler(jobEvent({ job: { pk: items[5]?.pk ?? "", destination: id } }));
    const closed = await control();
    expect(closed).toMatchObject({ circuit: "closed", consecutiveFailures: 0 });
    expect(closed.probeAtMs).toBeUndefined();
    expect(closed.history.at(-1)).toMatchObject({ change: "closed", reason: "probe_answered" });
    now.value += 5_000;
    const drained = await handler(
      jobEvent(...items.slice(3, 5).map((item) => ({ job: { pk: item.pk, destination: id } }))),
    );
    expect(drained.batchItemFailures).toEqual([]);
    for (const item of items.slice(3)) expect(await attemptsOf(item.pk, id)).toBeGreaterThanOrEqual(1);
  });

  test("a 4xx is the destination answering: it never opens the circuit", async () => {
    const id = freshDestination();
    const now = { value: Date.now() };
    const { handler, control } = setUp(id, now);
    const items = await queuedEvents(id, 5);
    suite.consumer.script(respond(422, "bad"));
    for (const item of items) await handler(jobEvent({ job: { pk: item.pk, destination: id } }));
    expect(await control()).toMatchObject({ circuit: "closed", consecutiveFailures: 0 });
  });

  test("a success ends a run of failures: two failures, a success, two failures stay closed", async () => {
    const id = freshDestination();
    const now = { value: Date.now() };
    const { handler, control } = setUp(id, now);
    const items = await queuedEvents(id, 5);
    const answers = [500, 500, 200, 500, 500];
    for (const [index, item] of items.entries()) {
      suite.consumer.script(respond(answers[index] ?? 200));
      await handler(jobEvent({ job: { pk: item.pk, destination: id } }));
      now.value += 1_500;
    }
    expect(await control()).toMatchObject({ circuit: "closed", consecutiveFailures: 2 });
  });

  test("circuitBreaker: false attempts every job whatever the failures", async () => {
    const id = freshDestination();
    const now = { value: Date.now() };
    const { handler, control } = setUp(id, now, false);
    const items = await queuedEvents(id, 5);
    suite.consumer.script(respond(503));
    const before = suite.consumer.requests.length;
    for (const item of items) await handler(jobEvent({ job: { pk: item.pk, destination: id } }));
    expect(suite.consumer.requests.length - before).toBe(5);
    expect(await control()).toMatchObject({ circuit: "closed", consecutiveFailures: 0 });
  });
});

describe("pause", () => {
  test("a paused destination's jobs are held without an attempt; resumed, they go", async () => {
    const id = freshDestination();
    const now = { value: Date.now() };
    const { handler, table } = setUp(id, now);
    const [item] = await queuedEvents(id, 1);
    const job = { pk: item?.pk ?? "", destination: id };
    await updateDestinationControl(table, id, { set: { paused: true, pausedAtMs: now.value, pausedBy: "test" } });
    suite.consumer.script(respond(200));
    const before = suite.consumer.requests.length;
    const held = await handler(jobEvent({ job }));
    expect(held.batchItemFailures).toHaveLength(1);
    expect(suite.consumer.requests.length).toBe(before);
    expect(await attemptsOf(job.pk, id)).toBe(0);
    expect(suite.harness.logs.at(-1)).toMatchObject({ outcome: "held", reason: "paused", delaySeconds: 15 });
    await updateDestinationControl(table, id, { set: { paused: false } });
    // The container's cached control item is a second old at most.
    now.value += 1_001;
    expect((await handler(jobEvent({ job }))).batchItemFailures).toEqual([]);
    expect(await attemptsOf(job.pk, id)).toBe(1);
  });
});
