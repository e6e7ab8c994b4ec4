import { describe, expect, test } from "@jest/globals";
import {
  acceptedAnswer,
  duplicateAnswer,
  rejection,
  unavailableAnswer,
} from "../../../../lambdas/intake/httpAnswers.ts";

describe("intake answers", () => {
  test("are JSON with the documented bodies", () => {
    expect(acceptedAnswer("e", "whk_k")).toEqual({
      statusCode: 202,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ok: true, eventId: "e", idempotencyKey: "whk_k", duplicate: false }),
    });
    expect(JSON.parse(duplicateAnswer("e", "k", false).body)).toEqual({
      ok: true,
      duplicate: true,
      eventId: "e",
      idempotencyKey: "k",
    });
    expect(JSON.parse(duplicateAnswer("e", "k", true).body)).toEqual({
      ok: true,
      duplicate: true,
      eventId: "e",
      idempotencyKey: "k",
      requeued: true,
    });
  });

  test.each([
    ["unknown_provider", 404],
    ["method_not_allowed", 405],
    ["payload_too_large", 413],
    ["invalid_signature", 401],
    ["stale_timestamp", 401],
    ["missing_event_id", 400],
    ["malformed_payload", 400],
    ["invalid_event_id", 400],
  ] as const)("answer %s with %i and { ok: false, error, message }", (code, status) => {
    const answer = rejection(code, "why");
    expect(answer.statusCode).toBe(status);
    expect(JSON.parse(answer.body)).toEqual({ ok: false, error: code, message: "why" });
  });

  test("503 tells the sender to retry", () => {
    const answer = unavailableAnswer();
    expect(answer.statusCode).toBe(503);
    expect(answer.headers["Retry-After"]).toBe("5");
    expect(JSON.parse(answer.body).error).toBe("temporarily_unavailable");
  });
});
