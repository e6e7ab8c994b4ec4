import { describe, expect, test } from "@jest/globals";
import type { AttemptEntry, EventState } from "../../../lambdas/shared/eventRecord.ts";
import { eventView } from "../../../local/eventView.ts";

const context = { destinationUrls: new Map([["demo", "http://127.0.0.1:4000/consumer/demo"]]), maxAttempts: 4 };
const IN_PROGRESS =
  '{"ok":false,"error":"in_progress","message":"another invocation is processing this Idempotency-Key"}';

function item(overrides: Partial<EventState> & { attempts?: AttemptEntry[] }) {
  const { attempts = [], ...state } = overrides;
  return { state: { ...baseState(), ...state }, attempts };
}

function baseState(): EventState {
  return {
    pk: "stripe#evt_1",
    sk: "state",
    provider: "stripe",
    eventId: "evt_1",
    idempotencyKey: "whk_key",
    status: "QUEUED",
    body: { kind: "inline", encoding: "identity", bytes: 12 },
    headers: {},
    attributes: {},
    receivedAtMs: Date.UTC(2026, 0, 1),
    expiresAt: 0,
    destinationIds: ["demo"],
    listShard: "l#0",
    destinations: { demo: { status: "PENDING", attempts: 0 } },
    version: 0,
  };
}

const attempt = (number: number) => ({
  destination: "demo",
  attempt: number,
  atMs: Date.UTC(2026, 0, 1, 0, 0, number),
  statusCode: 409,
  latencyMs: 3,
  responseBodyExcerpt: IN_PROGRESS,
});

describe("eventView", () => {
  test("says a destination not tried yet is waiting", () => {
    const view = eventView(item({}), context);
    expect(view.explanation).toBe("accepted; delivery to its destinations is in progress");
    expect(view.destinations.demo).toMatchObject({ url: "http://127.0.0.1:4000/consumer/demo", attempts: 0 });
    expect(view.destinations.demo?.explanation).toBe("waiting for its first delivery attempt");
    // The size of the signed body, from the state's body reference (the body item is not read).
    expect(view.payloadBytes).toBe(12);
  });

  test("explains a DEAD destination whose consumer kept answering 409 in_progress, counting the unrecorded attempt", () => {
    // Attempt 1 died before it was recorded; attempts 2 to 4 were.
    const dead = {
      status: "DEAD" as const,
      attempts: 3,
      lastStatusCode: 409,
      reason: "http_409",
      lastResponseBody: IN_PROGRESS,
    };
    const view = eventView(
      item({ status: "DEAD", destinations: { demo: dead }, attempts: [2, 3, 4].map(attempt) }),
      context,
    );

    expect(view.explanation).toContain("its job goes to the dead-letter queue");
    expect(view.destinations.demo).toMatchObject({ status: "DEAD", attempts: 3, lastAttempt: 4 });
    expect(view.destinations.demo?.explanation).toBe(
      "gave up after 4 attempts, the last one http_409; the job goes to the dead-letter queue (redrive it to try again). The consumer answered 409 in_progress: it claimed this Idempotency-Key and never completed it (it died mid-handler), and the SDK never runs a claimed key again (at-most-once)",
    );
    expect(view.attempts[0]).toEqual({
      destination: "demo",
      attempt: 2,
      at: "2026-01-01T00:00:02.000Z",
      statusCode: 409,
      error: undefined,
      latencyMs: 3,
      response: IN_PROGRESS,
    });
  });
});
