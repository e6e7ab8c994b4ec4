import { describe, expect, test } from "@jest/globals";
import { retryScheduleCovering } from "../../bench/reliability/consumerOutage.ts";
import { crashTrialPlan } from "../../bench/reliability/crashPointTrials.ts";
import { hostileRequest } from "../../bench/reliability/hostileRequests.ts";
import { markedWebhooks } from "../../bench/reliability/markedWebhooks.ts";
import { slowConsumerFindings } from "../../bench/reliability/slowConsumerChecks.ts";
import { answerKind, unavailableStateProblem } from "../../bench/reliability/storeFaultChecks.ts";
import { countCauses } from "../../bench/reliability/unavailableCauses.ts";
import { encodeBody } from "../../lambdas/shared/body/bodyCodec.ts";
import { bodyPlacement } from "../../lambdas/shared/body/bodyPlacement.ts";
import type { AttemptView, EventView } from "../../local/eventView.ts";
import { seededRandom } from "../../local/seededRandom.ts";

describe("the reliability harness's own pieces", () => {
  test("a 503 is explained only by a slow call: a timeout, directly or under enqueue_failed, or the deadline", () => {
    // As the intake logs them: errorCodeOf gives our errors' codes (the deadline's is deadline_exceeded).
    const slow = [
      { error: "TimeoutError" },
      { error: "enqueue_failed", errorCause: "TimeoutError" },
      { error: "deadline_exceeded" },
      { error: "enqueue_failed", errorCause: "AbortError" },
    ];
    expect(countCauses(slow)).toEqual({
      byCause: {
        TimeoutError: 1,
        "enqueue_failed<TimeoutError": 1,
        deadline_exceeded: 1,
        "enqueue_failed<AbortError": 1,
      },
      unexplained: 0,
    });
    const refused = [
      { error: "ConditionalCheckFailedException" },
      { error: "enqueue_failed" },
      { error: "enqueue_failed", errorCause: "AccessDenied" },
      {},
    ];
    expect(countCauses(refused).unexplained).toBe(4);
  });

  test("a seed gives the same sequence every time, another seed another one", () => {
    const draw = (seed: number) => Array.from({ length: 5 }, seededRandom(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    for (const value of draw(1)) expect(value >= 0 && value < 1).toBe(true);
  });

  test("the outage's retry schedule outlasts twice the outage even with −20 % jitter", () => {
    for (const seconds of [1, 5, 30, 90]) {
      const total = retryScheduleCovering(seconds).reduce((sum, delay) => sum + delay, 0);
      expect(total * 0.8).toBeGreaterThanOrEqual(2 * seconds);
    }
    expect(retryScheduleCovering(5)).toEqual([1, 2, 4, 8]);
  });

  test("hostile requests: the same seed generates the same requests; forgeries are marked as to be refused", () => {
    const generate = () => {
      const context = { env: {}, baseUrl: "http://127.0.0.1:4000", marker: "m", random: seededRandom(3), prefix: "h" };
      return Array.from({ length: 200 }, (_, index) => hostileRequest(index, context, []));
    };
    const first = generate();
    expect(first.map(({ kind, path, method, mustReject }) => ({ kind, path, method, mustReject }))).toEqual(
      generate().map(({ kind, path, method, mustReject }) => ({ kind, path, method, mustReject })),
    );
    const mustReject = ["forged_signature", "tampered_body", "stale_timestamp", "future_timestamp", "over_limit"];
    for (const request of first) if (mustReject.includes(request.kind)) expect(request.mustReject).toBe(true);
    expect(new Set(first.map(({ kind }) => kind)).size).toBeGreaterThanOrEqual(12);
  });
});

/** A stored event as `GET /events/…` shows it, with only what the checks read. */
function viewOf(eventId: string, changes: Partial<EventView> = {}): EventView {
  return {
    provider: "stripe",
    eventId,
    idempotencyKey: `whk_${eventId}`,
    status: "DELIVERED",
    explanation: "",
    receivedAt: "2026-01-01T00:00:00.000Z",
    payloadBytes: 2,
    destinations: {},
    attempts: [],
    ...changes,
  };
}

function attempt(number: number, outcome: { statusCode: number } | { error: string }): AttemptView {
  return { destination: "d", attempt: number, at: "2026-01-01T00:00:01.000Z", latencyMs: 1, response: "", ...outcome };
}

describe("the slow-consumer and store-fault checks", () => {
  const slowTimeline = [
    attempt(1, { error: "timeout" }),
    attempt(2, { statusCode: 409 }),
    attempt(3, { statusCode: 201 }),
  ];
  const answersFor = (eventId: string, key = `whk_${eventId}`) =>
    [201, 409, 201].map((status) => ({ eventId, key, status }));

  test("a slow consumer's event passes with a timeout, a 409 and one key on every delivery", () => {
    const views = [viewOf("a", { attempts: slowTimeline }), viewOf("b", { attempts: slowTimeline })];
    expect(slowConsumerFindings(views, [...answersFor("a"), ...answersFor("b")])).toEqual({
      problems: [],
      conflicts: 2,
      timeouts: 2,
      deliveriesPerEvent: { min: 3, max: 3 },
    });
  });

  test("fails an event that never timed out, got no 409, or got a delivery with another key", () => {
    const views = [
      viewOf("fast"),
      viewOf("unopposed", { attempts: slowTimeline }),
      viewOf("rekeyed", { attempts: slowTimeline }),
    ];
    const answers = [
      { eventId: "fast", key: "whk_fast", status: 409 },
      { eventId: "unopposed", key: "whk_unopposed", status: 201 },
      ...answersFor("rekeyed"),
      { eventId: "rekeyed", key: "whk_other", status: 201 },
    ];
    expect(slowConsumerFindings(views, answers).problems).toEqual([
      "1 events never timed out (the handler was not slower than the delivery timeout): fast",
      "1 events got no 409 while their first run was going: unopposed",
      "1 events got no delivery, or one with another Idempotency-Key than theirs: rekeyed",
    ]);
  });

  test("sorts intake answers into 2xx, 503 and anything else", () => {
    expect(["accepted", "duplicate", "200", "204"].map(answerKind)).toEqual(["2xx", "2xx", "2xx", "2xx"]);
    expect(answerKind("503")).toBe("503");
    expect(["500", "502", "401", "ECONNRESET", "no answer"].map(answerKind)).toEqual(Array(5).fill("other"));
  });

  test("a 503'd event may be missing, or stored RECEIVED and untouched; anything further contradicts the 503", () => {
    expect(unavailableStateProblem("e", undefined)).toBeUndefined();
    expect(unavailableStateProblem("e", viewOf("e", { status: "RECEIVED" }))).toBeUndefined();
    expect(unavailableStateProblem("e", viewOf("e", { status: "QUEUED", queuedAt: "2026-01-01T00:00:00.500Z" }))).toBe(
      "e was answered 503 but is QUEUED, queued",
    );
    expect(
      unavailableStateProblem("e", viewOf("e", { status: "RECEIVED", attempts: [attempt(1, { statusCode: 201 })] })),
    ).toBe("e was answered 503 but is RECEIVED, 1 delivery attempts");
  });
});

describe("the crash points' S3 trials", () => {
  test("S3-bound marked bodies: every provider's goes to the bucket, keeps the marker and stays the same for a retry", () => {
    const context = { env: {}, baseUrl: "http://127.0.0.1:4000", nowMs: 1_700_000_000_000, marker: "crash" };
    const large = markedWebhooks("s3-trial", 5, { ...context, s3Bodies: true });
    expect(new Set(large.map(({ provider }) => provider)).size).toBe(5);
    for (const webhook of large) {
      const bytes = Buffer.from(webhook.body);
      expect(bytes.length).toBeGreaterThanOrEqual(16 * 1024);
      expect(bodyPlacement(encodeBody(bytes).data.byteLength)).toBe("s3");
      expect(bytes.toString("utf8")).toContain("crash");
    }
    expect(markedWebhooks("s3-trial", 5, { ...context, s3Bodies: true }).map(({ body }) => body)).toEqual(
      large.map(({ body }) => body),
    );
    for (const webhook of markedWebhooks("s3-trial", 5, context)) {
      expect(bodyPlacement(encodeBody(Buffer.from(webhook.body)).data.byteLength)).toBe("inline");
    }
  });

  test("the plan: every trial of intake:after-body-upload, one more of after-state-put and after-put", () => {
    expect(crashTrialPlan("intake:after-body-upload", 2)).toEqual([{ s3Bodies: true }, { s3Bodies: true }]);
    for (const point of ["intake:after-state-put", "intake:after-put"] as const) {
      expect(crashTrialPlan(point, 2)).toEqual([{ s3Bodies: false }, { s3Bodies: false }, { s3Bodies: true }]);
    }
    expect(crashTrialPlan("intake:after-enqueue", 2)).toEqual([{ s3Bodies: false }, { s3Bodies: false }]);
  });

  test("one trial each (--quick): the points after the claim take the S3 path, the others stay inline", () => {
    expect(crashTrialPlan("intake:after-state-put", 1)).toEqual([{ s3Bodies: true }]);
    expect(crashTrialPlan("intake:after-put", 1)).toEqual([{ s3Bodies: true }]);
    expect(crashTrialPlan("intake:after-body-upload", 1)).toEqual([{ s3Bodies: true }]);
    expect(crashTrialPlan("consumer:after-effect", 1)).toEqual([{ s3Bodies: false }]);
  });
});
