import { describe, expect, test } from "@jest/globals";
import type { AttemptRecord } from "../../../../lambdas/delivery/attemptRecord.ts";
import {
  deadLetteredDestinationState,
  destinationStateAfterAttempt,
  exhaustedDestinationState,
  unknownDestinationState,
} from "../../../../lambdas/delivery/destinationState.ts";
import type { Decision } from "../../../../lambdas/delivery/retryPolicy.ts";

const response = (statusCode: number, body = ""): AttemptRecord => ({
  attempt: 2,
  trigger: "retry",
  atMs: 1_000,
  statusCode,
  latencyMs: 30,
  responseBodyExcerpt: body,
});
const timedOut: AttemptRecord = {
  attempt: 2,
  trigger: "retry",
  atMs: 1_000,
  error: "timeout",
  latencyMs: 10_000,
  responseBodyExcerpt: "",
};
const delivered: Decision = { action: "delivered" };
const retry: Decision = { action: "retry", delaySeconds: 300, reason: "http_503" };

describe("destinationStateAfterAttempt", () => {
  test("counts the attempt and keeps what the consumer answered", () => {
    expect(destinationStateAfterAttempt({ status: "PENDING", attempts: 1 }, retry, response(503, "busy"))).toEqual({
      status: "PENDING",
      attempts: 2,
      lastAttemptAtMs: 1_000,
      lastTrigger: "retry",
      lastLatencyMs: 30,
      lastStatusCode: 503,
      lastResponseBody: "busy",
      reason: "http_503",
      // Due the retry's delay after the attempt ended (its start plus its latency).
      nextAttemptAtMs: 1_000 + 30 + 300 * 1000,
    });
  });

  test("names the attempt that settled it, so the state is that attempt's record; a retry names none", () => {
    const settled = destinationStateAfterAttempt({ status: "PENDING", attempts: 1 }, delivered, response(200, "ok"));
    expect(settled).toMatchObject({
      status: "DELIVERED",
      settledByAttempt: 2,
      lastAttemptAtMs: 1_000,
      lastLatencyMs: 30,
      lastStatusCode: 200,
      lastResponseBody: "ok",
    });
    const dead = destinationStateAfterAttempt(
      { status: "PENDING", attempts: 1 },
      { action: "dead", reason: "timeout" },
      timedOut,
    );
    expect(dead).toMatchObject({ status: "DEAD", settledByAttempt: 2, lastError: "timeout", lastLatencyMs: 10_000 });
    expect(destinationStateAfterAttempt({ status: "PENDING", attempts: 1 }, retry, response(503))).not.toHaveProperty(
      "settledByAttempt",
    );
  });

  test("starts from a destination with no state yet", () => {
    expect(destinationStateAfterAttempt(undefined, delivered, response(200))).toMatchObject({
      status: "DELIVERED",
      attempts: 1,
    });
  });

  test("keeps no reason once delivered, and no stale status code after a timeout", () => {
    const afterTimeout = destinationStateAfterAttempt(
      { status: "PENDING", attempts: 1, lastStatusCode: 503, reason: "http_503" },
      { action: "retry", delaySeconds: 60, reason: "timeout" },
      timedOut,
    );
    expect(afterTimeout).not.toHaveProperty("lastStatusCode");
    expect(afterTimeout).toMatchObject({ reason: "timeout", lastError: "timeout" });
    const afterAnswer = destinationStateAfterAttempt(afterTimeout, delivered, response(200));
    expect(afterAnswer).not.toHaveProperty("reason");
    expect(afterAnswer).not.toHaveProperty("lastError");
  });

  test("flags a destination that answered 410 Gone", () => {
    const gone: Decision = { action: "failed", reason: "http_410", flagDestination: true };
    expect(destinationStateAfterAttempt(undefined, gone, response(410))).toMatchObject({
      status: "FAILED",
      reason: "gone",
      flagged: true,
    });
  });

  test("fails without a flag on other permanent errors", () => {
    const state = destinationStateAfterAttempt(
      undefined,
      { action: "failed", reason: "http_422", flagDestination: false },
      response(422),
    );
    expect(state).toMatchObject({ status: "FAILED", reason: "http_422" });
    expect(state).not.toHaveProperty("flagged");
  });

  test.each(["DELIVERED", "FAILED"] as const)(
    "returns a %s state unchanged, whatever the late attempt said",
    (status) => {
      const settled = { status, attempts: 1, lastStatusCode: 200 };
      expect(destinationStateAfterAttempt(settled, retry, response(503))).toBe(settled);
    },
  );

  test("moves DEAD to DELIVERED on a redriven success, and keeps it DEAD on a redriven failure", () => {
    const dead = { status: "DEAD" as const, attempts: 8, reason: "http_500" };
    expect(destinationStateAfterAttempt(dead, delivered, response(200))).toMatchObject({
      status: "DELIVERED",
      attempts: 9,
    });
    expect(destinationStateAfterAttempt(dead, retry, response(503))).toMatchObject({ status: "DEAD", attempts: 9 });
  });
});

describe("unknownDestinationState and exhaustedDestinationState", () => {
  test("mark the destination FAILED or DEAD, keeping what earlier attempts recorded", () => {
    const earlier = { status: "PENDING" as const, attempts: 3, lastStatusCode: 500 };
    expect(unknownDestinationState(earlier)).toEqual({
      status: "FAILED",
      attempts: 3,
      lastStatusCode: 500,
      reason: "unknown_destination",
    });
    expect(exhaustedDestinationState("m-1")(earlier)).toEqual({
      status: "DEAD",
      attempts: 3,
      lastStatusCode: 500,
      reason: "attempts_exhausted",
      deadMessageId: "m-1",
    });
    expect(unknownDestinationState(undefined)).toEqual({
      status: "FAILED",
      attempts: 0,
      reason: "unknown_destination",
    });
  });
});

describe("deadLetteredDestinationState", () => {
  test("marks a PENDING destination DEAD (dead_lettered) with the message that died, dropping its due time", () => {
    const pending = { status: "PENDING" as const, attempts: 2, lastStatusCode: 503, nextAttemptAtMs: 5_000 };
    expect(deadLetteredDestinationState("m-1")(pending)).toEqual({
      status: "DEAD",
      attempts: 2,
      lastStatusCode: 503,
      reason: "dead_lettered",
      deadMessageId: "m-1",
    });
    expect(deadLetteredDestinationState("m-1")(undefined)).toEqual({
      status: "DEAD",
      attempts: 0,
      reason: "dead_lettered",
      deadMessageId: "m-1",
    });
  });

  test("returns a settled state unchanged: DELIVERED, FAILED, and DEAD with the message that died before", () => {
    const settled = [
      { status: "DELIVERED" as const, attempts: 3, lastStatusCode: 200 },
      { status: "FAILED" as const, attempts: 1, reason: "http_400" },
      { status: "DEAD" as const, attempts: 8, reason: "http_500", deadMessageId: "m-earlier" },
    ];
    for (const state of settled) expect(deadLetteredDestinationState("m-2")(state)).toBe(state);
  });
});
