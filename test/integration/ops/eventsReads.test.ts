import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { problemShardOf } from "../../../lambdas/shared/indexShards.ts";
import { resolveEventPk } from "../../../ops/events/eventSelector.ts";
import { eventStats } from "../../../ops/events/eventStats.ts";
import { findEvents } from "../../../ops/events/listEventViews.ts";
import { planRecover } from "../../../ops/events/recoverEvents.ts";
import { showEvent } from "../../../ops/events/showEvent.ts";
import type { OperatorTarget } from "../../../ops/target/operatorTarget.ts";
import { createEventsTable, DEFAULT_SHARDS, putEvent, queuedEvent } from "../../support/deliveryEvents.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { stackTargetOn } from "../../support/operatorTargets.ts";

/**
 * What the events commands read, against DynamoDB Local: only Queries on the indexes, BatchGetItem and GetItem on
 * the states, never a Scan (the rule: a Scan of a busy table costs as much as the table). Every command the
 * CLI's `events list`, `show` (by key too), `recover --dry-run` and `stats` send is recorded.
 */
const ddb = localClient();
const sent: string[] = [];
ddb.middlewareStack.add(
  (next, context) => async (args) => {
    sent.push(context.commandName ?? "");
    return next(args);
  },
  { step: "initialize", name: "recordCommands" },
);
let eventsTable: string;
let target: OperatorTarget;
const NOW = Date.now();
const T = (minutesAgo: number) => NOW - minutesAgo * 60_000;

beforeAll(async () => {
  eventsTable = await createEventsTable(ddb, "ops-events-reads");
  target = stackTargetOn(ddb, eventsTable);
  for (let i = 0; i < 12; i++) {
    const failed = i % 3 === 0;
    const item = queuedEvent(["orders", "audit"], {
      provider: i % 2 === 0 ? "stripe" : "github",
      eventId: `evt_reads_${i}`,
      receivedAtMs: T(60 - i),
    });
    if (failed) {
      item.status = "FAILED";
      item.problemShard = problemShardOf(item.pk, "FAILED", DEFAULT_SHARDS);
      item.destinations = {
        orders: { status: "FAILED", attempts: 1, reason: "http_400" },
        audit: { status: "DELIVERED", attempts: 1 },
      };
    } else {
      item.status = "DELIVERED";
      item.destinations = { orders: { status: "DELIVERED", attempts: 1 }, audit: { status: "DELIVERED", attempts: 1 } };
    }
    await putEvent(ddb, eventsTable, item);
  }
});
afterAll(async () => {
  await deleteTable(ddb, eventsTable);
  ddb.destroy();
});

describe("the events commands' reads", () => {
  test("list, show, find by key, recover's plan and stats: Query, BatchGetItem and GetItem only, never a Scan", async () => {
    sent.length = 0;
    const window = { sinceMs: T(120), untilMs: NOW, limit: 100 };
    const all = await findEvents(target, window);
    expect(all.map((state) => state.eventId)).toEqual(Array.from({ length: 12 }, (_, i) => `evt_reads_${11 - i}`));
    const github = await findEvents(target, { ...window, provider: "github" });
    expect(github.every((state) => state.provider === "github")).toBe(true);
    expect(github).toHaveLength(6);
    const failed = await findEvents(target, { ...window, status: "FAILED", limit: 2 });
    expect(failed.map((state) => state.eventId)).toEqual(["evt_reads_9", "evt_reads_6"]);

    const pk = await resolveEventPk(target, [all[3]?.idempotencyKey ?? ""], { nowMs: NOW });
    expect(pk).toBe(all[3]?.pk);
    const detail = await showEvent(target, pk);
    expect(detail.eventId).toBe(all[3]?.eventId);

    const plan = await planRecover(target, { ...window, status: "FAILED", destination: "orders" });
    expect(plan.items.map((item) => item.eventId).sort()).toEqual([
      "evt_reads_0",
      "evt_reads_3",
      "evt_reads_6",
      "evt_reads_9",
    ]);
    const stats = await eventStats(target, window);
    expect(stats).toMatchObject({
      events: 12,
      truncated: false,
      byStatus: { DELIVERED: 8, FAILED: 4 },
      byDestination: { orders: { DELIVERED: 8, FAILED: 4 }, audit: { DELIVERED: 12 } },
    });

    expect(sent.length).toBeGreaterThan(0);
    expect([...new Set(sent)].sort()).toEqual(["BatchGetItemCommand", "GetItemCommand", "QueryCommand"]);
  });

  test("a limited listing stops reading: 2 events newest first cost one page per shard and one BatchGetItem", async () => {
    sent.length = 0;
    const two = await findEvents(target, { sinceMs: T(120), untilMs: NOW, limit: 2 });
    expect(two.map((state) => state.eventId)).toEqual(["evt_reads_11", "evt_reads_10"]);
    expect(sent.filter((name) => name === "BatchGetItemCommand")).toHaveLength(1);
    expect(sent.filter((name) => name === "QueryCommand").length).toBeLessThanOrEqual(DEFAULT_SHARDS.list);
  });
});
