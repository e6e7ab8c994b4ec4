import { describe, expect, test } from "@jest/globals";
import { redrivenState } from "../../../../lambdas/delivery/attemptPlan.ts";
import { eventAttempts, settlingAttemptOf } from "../../../../lambdas/shared/attemptHistory.ts";
import type { AttemptEntry, DestinationState } from "../../../../lambdas/shared/eventRecord.ts";

const item = (destination: string, attempt: number, atMs: number): AttemptEntry => ({
  destination,
  attempt,
  atMs,
  statusCode: 503,
  latencyMs: 5,
  responseBodyExcerpt: "busy",
});

const delivered: DestinationState = {
  status: "DELIVERED",
  attempts: 3,
  settledByAttempt: 3,
  lastAttemptAtMs: 3_000,
  lastStatusCode: 200,
  lastLatencyMs: 7,
  lastResponseBody: "thanks",
};

describe("settlingAttemptOf", () => {
  test("reads the attempt that settled a destination from its state", () => {
    expect(settlingAttemptOf("orders", delivered)).toEqual({
      destination: "orders",
      attempt: 3,
      atMs: 3_000,
      statusCode: 200,
      latencyMs: 7,
      responseBodyExcerpt: "thanks",
    });
  });

  test("finds none in a PENDING state, or in one settled without an attempt (exhausted, dead-lettered, unknown)", () => {
    expect(settlingAttemptOf("orders", { status: "PENDING", attempts: 1, lastAttemptAtMs: 1 })).toBeUndefined();
    expect(
      settlingAttemptOf("orders", { status: "DEAD", attempts: 8, lastAttemptAtMs: 1, reason: "attempts_exhausted" }),
    ).toBeUndefined();
  });

  test("a redrive drops the state's claim to it: the store keeps that attempt as an item first", () => {
    const dead = { ...delivered, status: "DEAD" as const, reason: "http_500", deadMessageId: "m-1" };
    const reopened = redrivenState(dead, [1, 1]);
    expect(reopened).toMatchObject({ status: "PENDING", attemptLimit: 6, redrives: 1 });
    expect(reopened).not.toHaveProperty("settledByAttempt");
    expect(settlingAttemptOf("orders", reopened)).toBeUndefined();
  });
});

describe("eventAttempts", () => {
  test("lists attempt items and settling attempts in the order they were made, destinations in fan-out order", () => {
    const state = {
      destinationIds: ["orders", "billing"],
      destinations: { orders: delivered, billing: { status: "PENDING" as const, attempts: 2 } },
    };
    const items = [
      item("billing", 1, 1_000),
      item("orders", 2, 2_000),
      item("billing", 2, 2_000),
      item("orders", 1, 1_000),
    ];
    expect(eventAttempts(state, items).map(({ destination, attempt }) => `${destination}#${attempt}`)).toEqual([
      "orders#1",
      "billing#1",
      "orders#2",
      "billing#2",
      "orders#3",
    ]);
  });

  test("orders two attempts with the same number (duplicate jobs) and an unknown destination deterministically", () => {
    const state = { destinationIds: ["orders"], destinations: {} };
    const items = [item("retired", 1, 1_000), { ...item("orders", 1, 1_000), latencyMs: 9 }, item("orders", 1, 1_000)];
    expect(eventAttempts(state, items).map((entry) => entry.destination)).toEqual(["orders", "orders", "retired"]);
  });
});
