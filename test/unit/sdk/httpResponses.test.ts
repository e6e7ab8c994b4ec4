import { describe, expect, test } from "@jest/globals";
import { InProgressError, PreviouslyFailedError, StoreUnavailableError } from "../../../sdk/errors.ts";
import { errorResponse, replayResponse } from "../../../sdk/httpResponses.ts";
import { responseAttributes } from "../../../sdk/storedResponse.ts";

describe("errorResponse", () => {
  test("answers in-progress with 409, Retry-After and Idempotency-Status", () => {
    const response = errorResponse(new InProgressError(12));
    expect(response.statusCode).toBe(409);
    expect(response.headers).toMatchObject({ "Retry-After": "12", "Idempotency-Status": "in-progress" });
    expect(JSON.parse(response.body ?? "")).toMatchObject({ ok: false, error: "in_progress" });
  });

  test("answers previously failed with 422 and Idempotency-Status: failed", () => {
    const response = errorResponse(new PreviouslyFailedError());
    expect(response.statusCode).toBe(422);
    expect(response.headers?.["Idempotency-Status"]).toBe("failed");
    expect(JSON.parse(response.body ?? "").error).toBe("previously_failed");
  });

  test("answers a store outage with 503", () => {
    expect(errorResponse(new StoreUnavailableError(new Error("x"))).statusCode).toBe(503);
  });
});

describe("replayResponse", () => {
  test("keeps status, body and headers of a stored HTTP response and marks it replayed", () => {
    const stored = { statusCode: 201, headers: { "X-A": "1" }, body: '{"id":7}' };
    expect(replayResponse({ kind: "json", value: stored })).toEqual({
      statusCode: 201,
      headers: { "X-A": "1", "Idempotency-Status": "replayed" },
      body: '{"id":7}',
    });
  });

  test("answers a stored plain value as API Gateway would: 200 with its JSON", () => {
    const response = replayResponse({ kind: "json", value: { charged: true } });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body ?? "")).toEqual({ charged: true });
  });

  test("answers an oversize or undefined result with ok and deduped", () => {
    for (const stored of [{ kind: "omitted" as const, fingerprint: "h" }, { kind: "undefined" as const }]) {
      const response = replayResponse(stored);
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body ?? "")).toEqual({ ok: true, deduped: true });
    }
  });
});

describe("responseAttributes", () => {
  test("stores a response up to the limit as JSON", () => {
    expect(responseAttributes({ a: 1 }, 64)).toEqual({ responseKind: "json", response: '{"a":1}' });
  });

  test("stores a larger response as a fingerprint only", () => {
    const stored = responseAttributes({ big: "x".repeat(100) }, 64);
    expect(stored.responseKind).toBe("omitted");
    expect(stored.response).toBeUndefined();
    expect(stored.responseFingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  test("stores undefined as its own kind", () => {
    expect(responseAttributes(undefined, 64)).toEqual({ responseKind: "undefined" });
  });
});
