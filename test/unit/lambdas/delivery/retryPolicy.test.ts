import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import type { AttemptContext, AttemptOutcome } from "../../../../lambdas/delivery/retryPolicy.ts";
import { decideAfterAttempt, outcomeReason } from "../../../../lambdas/delivery/retryPolicy.ts";
import { DEFAULT_RETRY_SCHEDULE_SECONDS } from "../../../../lambdas/delivery/retrySchedule.ts";
import { InvalidRetryScheduleError } from "../../../../lambdas/shared/errors.ts";

const schedule = [10, 300, 1800]; // 4 attempts
const nowMs = Date.UTC(2025, 0, 15, 12, 0, 0);
const JUST_BELOW_ONE = 1 - Number.EPSILON / 2;
const noJitter = () => 0.5;

const context = (overrides: Partial<AttemptContext> = {}): AttemptContext => ({
  attempt: 2,
  schedule,
  random: noJitter,
  nowMs,
  ...overrides,
});
const response = (status: number, retryAfterHeader?: string): AttemptOutcome =>
  retryAfterHeader === undefined ? { kind: "response", status } : { kind: "response", status, retryAfterHeader };
const timeout: AttemptOutcome = { kind: "timeout" };
const http503 = response(503);

describe("decideAfterAttempt: classification", () => {
  test.each([200, 201, 202, 204, 299])("marks a %i delivered", (status) => {
    expect(decideAfterAttempt(response(status), context())).toEqual({ action: "delivered" });
  });

  test.each([
    [408, "request timeout"],
    [409, "in progress at the consumer"],
    [425, "too early"],
    [500, "server error"],
    [502, "bad gateway"],
    [503, "unavailable"],
    [504, "gateway timeout"],
    [599, "last 5xx"],
    [301, "moved permanently"],
    [302, "found"],
    [307, "temporary redirect"],
    [308, "permanent redirect"],
  ])("retries a %i (%s) with the schedule's delay", (status) => {
    expect(decideAfterAttempt(response(status), context())).toEqual({
      action: "retry",
      delaySeconds: 300,
      reason: `http_${status}`,
    });
  });

  test("retries a 429", () => {
    expect(decideAfterAttempt(response(429), context())).toEqual({
      action: "retry",
      delaySeconds: 300,
      reason: "http_429",
    });
  });

  test.each([100, 199, 600, 0])("retries the unexpected status %i rather than lose the event", (status) => {
    expect(decideAfterAttempt(response(status), context())).toMatchObject({
      action: "retry",
      reason: `http_${status}`,
    });
  });

  test.each([400, 401, 403, 404, 405, 413, 415, 422, 451, 499])("fails a %i without retrying", (status) => {
    expect(decideAfterAttempt(response(status), context())).toEqual({
      action: "failed",
      reason: `http_${status}`,
      flagDestination: false,
    });
  });

  test("fails a 410 Gone and flags the destination", () => {
    expect(decideAfterAttempt(response(410), context())).toEqual({
      action: "failed",
      reason: "http_410",
      flagDestination: true,
    });
  });

  test("retries a timeout", () => {
    expect(decideAfterAttempt(timeout, context())).toEqual({ action: "retry", delaySeconds: 300, reason: "timeout" });
  });

  test("retries a network error, naming its code", () => {
    expect(decideAfterAttempt({ kind: "network-error", code: "ECONNREFUSED" }, context())).toEqual({
      action: "retry",
      delaySeconds: 300,
      reason: "network_error:ECONNREFUSED",
    });
  });

  test("retries a network error without a code", () => {
    expect(decideAfterAttempt({ kind: "network-error" }, context())).toMatchObject({
      action: "retry",
      reason: "network_error",
    });
  });
});

describe("outcomeReason", () => {
  test("turns a network error code into one log-safe token", () => {
    expect(outcomeReason({ kind: "network-error", code: "UND_ERR_CONNECT_TIMEOUT" })).toBe(
      "network_error:UND_ERR_CONNECT_TIMEOUT",
    );
    expect(outcomeReason({ kind: "network-error", code: "bad code\n" })).toBe("network_error:bad_code_");
    expect(outcomeReason({ kind: "network-error", code: "E".repeat(100) })).toBe(`network_error:${"E".repeat(64)}`);
    expect(outcomeReason({ kind: "network-error", code: "" })).toBe("network_error");
  });
});

describe("decideAfterAttempt: schedule and exhaustion", () => {
  test("uses schedule[attempt - 1] for each attempt", () => {
    expect(decideAfterAttempt(http503, context({ attempt: 1 }))).toMatchObject({ delaySeconds: 10 });
    expect(decideAfterAttempt(http503, context({ attempt: 2 }))).toMatchObject({ delaySeconds: 300 });
    expect(decideAfterAttempt(http503, context({ attempt: 3 }))).toMatchObject({ delaySeconds: 1800 });
  });

  test("goes dead exactly at the last attempt, keeping the reason", () => {
    expect(decideAfterAttempt(http503, context({ attempt: 3 }))).toMatchObject({ action: "retry" });
    expect(decideAfterAttempt(http503, context({ attempt: 4 }))).toEqual({ action: "dead", reason: "http_503" });
    expect(decideAfterAttempt(timeout, context({ attempt: 4 }))).toEqual({ action: "dead", reason: "timeout" });
  });

  test("stays dead past the last attempt, as after a deploy shortened the schedule", () => {
    expect(decideAfterAttempt(http503, context({ attempt: 9 }))).toEqual({ action: "dead", reason: "http_503" });
  });

  test("still delivers or fails on the last attempt", () => {
    expect(decideAfterAttempt(response(200), context({ attempt: 4 }))).toEqual({ action: "delivered" });
    expect(decideAfterAttempt(response(404), context({ attempt: 4 }))).toMatchObject({ action: "failed" });
  });

  test("makes 8 attempts with the default schedule", () => {
    const defaults = { schedule: DEFAULT_RETRY_SCHEDULE_SECONDS };
    expect(decideAfterAttempt(http503, context({ ...defaults, attempt: 7 }))).toEqual({
      action: "retry",
      delaySeconds: 36_000,
      reason: "http_503",
    });
    expect(decideAfterAttempt(http503, context({ ...defaults, attempt: 8 }))).toMatchObject({ action: "dead" });
  });

  test("goes dead on the first attempt with an empty schedule", () => {
    expect(decideAfterAttempt(http503, context({ attempt: 1, schedule: [] }))).toMatchObject({ action: "dead" });
  });
});

describe("decideAfterAttempt: jitter", () => {
  test("takes 20 % off the delay when random() is 0", () => {
    expect(decideAfterAttempt(http503, context({ random: () => 0 }))).toMatchObject({ delaySeconds: 240 });
  });

  test("adds at most 20 % to the delay when random() is just below 1", () => {
    expect(decideAfterAttempt(http503, context({ random: () => JUST_BELOW_ONE }))).toMatchObject({ delaySeconds: 360 });
  });

  test("keeps every delay a whole number within ±20 % of the schedule's (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (random) => {
        const decision = decideAfterAttempt(http503, context({ random: () => random }));
        if (decision.action !== "retry") throw new Error(`expected a retry, got ${decision.action}`);
        expect(Number.isInteger(decision.delaySeconds)).toBe(true);
        expect(decision.delaySeconds).toBeGreaterThanOrEqual(240);
        expect(decision.delaySeconds).toBeLessThanOrEqual(360);
      }),
    );
  });

  test("keeps a jittered 12-hour step past 12 hours (served over several receives), never past 24 hours", () => {
    expect(
      decideAfterAttempt(http503, context({ attempt: 1, schedule: [43_200], random: () => JUST_BELOW_ONE })),
    ).toMatchObject({
      delaySeconds: 51_840,
    });
  });
});

describe("decideAfterAttempt: floor after a 429 or a timeout", () => {
  test.each([
    ["a 429", response(429)],
    ["a timeout", timeout],
  ])("waits at least 60 s after %s, jittered upwards up to 72 s", (_name, outcome) => {
    expect(decideAfterAttempt(outcome, context({ attempt: 1, random: () => 0 }))).toMatchObject({ delaySeconds: 60 });
    expect(decideAfterAttempt(outcome, context({ attempt: 1 }))).toMatchObject({ delaySeconds: 66 });
    expect(decideAfterAttempt(outcome, context({ attempt: 1, random: () => JUST_BELOW_ONE }))).toMatchObject({
      delaySeconds: 72,
    });
  });

  test("does not apply the floor to other retryable outcomes", () => {
    expect(decideAfterAttempt(http503, context({ attempt: 1 }))).toMatchObject({ delaySeconds: 10 });
    expect(decideAfterAttempt({ kind: "network-error" }, context({ attempt: 1 }))).toMatchObject({ delaySeconds: 10 });
  });

  test("leaves a schedule delay above the floor alone", () => {
    expect(decideAfterAttempt(response(429), context({ attempt: 2, random: () => 0 }))).toMatchObject({
      delaySeconds: 240,
    });
  });

  test("lets a local config lower the floor", () => {
    const local = { schedule: [1, 2, 4], attempt: 1 };
    expect(decideAfterAttempt(response(429), context({ ...local, minDelayAfterThrottleSeconds: 0 }))).toMatchObject({
      delaySeconds: 1,
    });
    expect(decideAfterAttempt(timeout, context({ ...local, minDelayAfterThrottleSeconds: 5 }))).toMatchObject({
      delaySeconds: 6,
    });
  });
});

describe("decideAfterAttempt: Retry-After", () => {
  const at = (offsetMs: number) => new Date(nowMs + offsetMs).toUTCString();

  test("waits as many seconds as Retry-After asks when that is longer than the schedule", () => {
    expect(decideAfterAttempt(response(503, "120"), context({ attempt: 1 }))).toMatchObject({ delaySeconds: 120 });
  });

  test("waits until a Retry-After date", () => {
    expect(decideAfterAttempt(response(429, at(15 * 60_000)), context({ attempt: 1 }))).toMatchObject({
      delaySeconds: 900,
    });
  });

  test("never waits less than the schedule's delay", () => {
    expect(decideAfterAttempt(response(503, "5"), context())).toMatchObject({ delaySeconds: 300 });
    expect(decideAfterAttempt(response(503, "0"), context())).toMatchObject({ delaySeconds: 300 });
    expect(decideAfterAttempt(response(503, at(-60_000)), context())).toMatchObject({ delaySeconds: 300 });
  });

  test("never waits less than the 429 floor", () => {
    expect(decideAfterAttempt(response(429, "30"), context({ attempt: 1, random: () => 0 }))).toMatchObject({
      delaySeconds: 60,
    });
  });

  test("honours a Retry-After of 12 hours and more (up to 24 hours)", () => {
    expect(decideAfterAttempt(response(503, "43200"), context())).toMatchObject({ delaySeconds: 43_200 });
    expect(decideAfterAttempt(response(503, "50000"), context())).toMatchObject({ delaySeconds: 50_000 });
  });

  test.each(["86401", "99999999999999999999", "9".repeat(400)])("caps Retry-After %s at 24 hours", (header) => {
    expect(decideAfterAttempt(response(503, header), context())).toMatchObject({ delaySeconds: 86_400 });
  });

  test("caps a Retry-After date two days away at 24 hours", () => {
    expect(decideAfterAttempt(response(429, at(2 * 86_400_000)), context())).toMatchObject({ delaySeconds: 86_400 });
  });

  test.each(["soon", "1.5", "-120", "", "Wed, 15 Jan 2025"])("ignores the unparseable Retry-After %j", (header) => {
    expect(decideAfterAttempt(response(503, header), context())).toMatchObject({ delaySeconds: 300 });
  });

  test("honours Retry-After on a 3xx", () => {
    expect(decideAfterAttempt(response(307, "600"), context())).toMatchObject({ delaySeconds: 600 });
  });

  test("keeps every delay a whole number from 0 to 86 400 s (property)", () => {
    const outcomes = fc.oneof(
      fc.record({
        kind: fc.constant("response" as const),
        status: fc.integer({ min: 0, max: 999 }),
        retryAfterHeader: fc.oneof(
          fc.string(),
          fc.nat().map(String),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        ),
      }),
      fc.constant(timeout),
      fc.record({ kind: fc.constant("network-error" as const), code: fc.string() }),
    );
    const schedules = fc.array(fc.integer({ min: 1, max: 43_200 }), { maxLength: 10 });
    fc.assert(
      fc.property(
        outcomes,
        schedules,
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.integer({ min: 0, max: 3600 }),
        (outcome, anySchedule, attempt, random, minDelayAfterThrottleSeconds) => {
          const decision = decideAfterAttempt(outcome, {
            attempt,
            schedule: anySchedule,
            random: () => random,
            nowMs,
            minDelayAfterThrottleSeconds,
          });
          if (decision.action !== "retry") return;
          expect(Number.isInteger(decision.delaySeconds)).toBe(true);
          expect(decision.delaySeconds).toBeGreaterThanOrEqual(0);
          expect(decision.delaySeconds).toBeLessThanOrEqual(86_400);
        },
      ),
    );
  });
});

describe("decideAfterAttempt: invalid input", () => {
  test.each([0, -1, 1.5, Number.NaN])("rejects attempt %p", (attempt) => {
    expect(() => decideAfterAttempt(http503, context({ attempt }))).toThrow(RangeError);
  });

  test.each([-0.1, 1, Number.NaN])("rejects a random() that returns %p", (value) => {
    expect(() => decideAfterAttempt(http503, context({ random: () => value }))).toThrow(RangeError);
  });

  test("rejects a non-finite nowMs", () => {
    expect(() => decideAfterAttempt(http503, context({ nowMs: Number.NaN }))).toThrow(RangeError);
  });

  test.each([-1, 1.5])("rejects minDelayAfterThrottleSeconds %p", (minDelayAfterThrottleSeconds) => {
    expect(() => decideAfterAttempt(http503, context({ minDelayAfterThrottleSeconds }))).toThrow(RangeError);
  });

  test("rejects an invalid schedule", () => {
    expect(() => decideAfterAttempt(http503, context({ schedule: [10, -5] }))).toThrow(InvalidRetryScheduleError);
  });
});
