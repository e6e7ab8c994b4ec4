import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { findEvents } from "../../../ops/events/listEventViews.ts";
import { newRunId, planRecover, recoverEvents } from "../../../ops/events/recoverEvents.ts";
import { replayEvent } from "../../../ops/events/replayEvent.ts";
import type { OperatorTarget } from "../../../ops/target/operatorTarget.ts";
import { createEventsTable, putEvent, queuedEvent, storedEvent } from "../../support/deliveryEvents.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { stackTargetOn } from "../../support/operatorTargets.ts";

/**
 * Routing UNROUTED events from the operator library, against DynamoDB Local (the job's SendMessage goes to a
 * recorded stand-in): `events replay --destination` refuses what it cannot check, `events recover --status UNROUTED`
 * sends a selection, by type, to one destination.
 */
const ddb = localClient();
let eventsTable: string;
let target: OperatorTarget;
const sentJobs: string[] = [];
const NOW = Date.now();
const actor = { by: "operator@test", nowMs: NOW };

function unrouted(eventId: string, eventType: string, provider = "stripe", headers: Record<string, string> = {}) {
  return queuedEvent([], {
    eventId,
    provider,
    status: "UNROUTED",
    attributes: { eventType },
    headers,
    receivedAtMs: NOW - 60_000,
  });
}

beforeAll(async () => {
  eventsTable = await createEventsTable(ddb, "ops-route-events");
  const base = stackTargetOn(ddb, eventsTable);
  base.sqs.middlewareStack.add(
    (_next) => async (args) => {
      sentJobs.push(String((args.input as { MessageBody?: string }).MessageBody));
      return { output: { MessageId: `m-${sentJobs.length}`, $metadata: {} }, response: {} } as never;
    },
    { step: "initialize", name: "recordJobs" },
  );
  target = base;
  for (const item of [
    unrouted("evt_charge_1", "charge.refunded"),
    unrouted("evt_charge_2", "charge.dispute.created"),
    unrouted("evt_payout", "payout.paid"),
    unrouted("1:pr", "pull_request.closed", "github", { "x-github-event": "pull_request" }),
  ]) {
    await putEvent(ddb, eventsTable, item);
  }
});
afterAll(async () => {
  await deleteTable(ddb, eventsTable);
});

const window = { sinceMs: NOW - 3_600_000, untilMs: NOW + 1_000, limit: 100 };

describe("routing UNROUTED events from the operator library", () => {
  test("events list --type selects by type, as destinations' filters match", async () => {
    const ids = async (eventTypes: string[]) =>
      (await findEvents(target, { ...window, status: "UNROUTED", eventTypes })).map((state) => state.eventId).sort();
    expect(await ids(["charge.*"])).toEqual(["evt_charge_1", "evt_charge_2"]);
    expect(await ids(["charge.refunded", "payout.*"])).toEqual(["evt_charge_1", "evt_payout"]);
    // A GitHub event matches by its event name alone too.
    expect(await ids(["pull_request"])).toEqual(["1:pr"]);
  });

  test("a replay to a new destination is refused, writing nothing, when the target does not list its destinations", async () => {
    const { destinationIds: _ids, ...older } = target.resources;
    const olderStack = { ...target, resources: older };
    const before = await storedEvent(ddb, eventsTable, unrouted("evt_payout", "").pk);
    const state = await storedEvent(ddb, eventsTable, before.pk);
    await expect(replayEvent(olderStack, state, actor, "orders")).rejects.toMatchObject({
      code: "destinations_unknown",
    });
    await expect(replayEvent(target, state, actor, "ordrs")).rejects.toMatchObject({ code: "no_such_destination" });
    expect(await storedEvent(ddb, eventsTable, before.pk)).toEqual(before);
    expect(sentJobs).toEqual([]);
  });

  test("recover --status UNROUTED needs a configured destination, and sends the selected types there", async () => {
    const selection = { ...window, status: "UNROUTED" as const };
    await expect(planRecover(target, selection)).rejects.toMatchObject({ code: "missing_destination" });
    await expect(planRecover(target, { ...selection, destination: "nowhere" })).rejects.toMatchObject({
      code: "no_such_destination",
    });
    const plan = await planRecover(target, { ...selection, destination: "orders", eventTypes: ["charge.*"] });
    expect(plan.items.map((item) => item.eventId).sort()).toEqual(["evt_charge_1", "evt_charge_2"]);
    const summary = await recoverEvents(target, plan, {
      actor: { ...actor, runId: newRunId(NOW) },
      ratePerSecond: 1000,
    });
    expect(summary).toMatchObject({ matched: 2, replayed: 2, failed: 0 });
    expect(sentJobs.map((body) => JSON.parse(body).destination)).toEqual(["orders", "orders"]);
    for (const eventId of ["evt_charge_1", "evt_charge_2"]) {
      const routed = await storedEvent(ddb, eventsTable, unrouted(eventId, "").pk);
      expect(routed).toMatchObject({ status: "QUEUED", destinations: { orders: { status: "PENDING" } } });
    }
    // A rerun finds only what is left: the routed events are no longer UNROUTED.
    const again = await planRecover(target, { ...selection, destination: "orders", eventTypes: ["charge.*"] });
    expect(again.items).toEqual([]);
  });
});
