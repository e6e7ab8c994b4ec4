import { describe, expect, test } from "@jest/globals";
import { type IdempotencyRecord, refusalFor } from "../../../sdk/idempotencyRecord.ts";

const base: IdempotencyRecord = {
  id: "fn#k",
  status: "IN_PROGRESS",
  ownerToken: "owner-1",
  fingerprint: "fp",
  startedAtMs: 1_000,
  expiresAt: 10_000,
};

describe("refusalFor", () => {
  test("refuses a key reused with another payload, whatever the record's state", () => {
    for (const status of ["IN_PROGRESS", "COMPLETED", "FAILED"] as const) {
      expect(refusalFor({ ...base, status }, "other-fp", 2_000, 5)).toEqual({ kind: "mismatch" });
    }
  });

  test("replays the stored response of a completed record", () => {
    const record = {
      ...base,
      status: "COMPLETED" as const,
      responseKind: "json" as const,
      response: '{"statusCode":201}',
    };
    expect(refusalFor(record, "fp", 2_000, 5)).toEqual({
      kind: "replay",
      stored: { kind: "json", value: { statusCode: 201 } },
    });
  });

  test("replays undefined and oversize responses by kind", () => {
    expect(refusalFor({ ...base, status: "COMPLETED", responseKind: "undefined" }, "fp", 0, 5)).toEqual({
      kind: "replay",
      stored: { kind: "undefined" },
    });
    expect(
      refusalFor({ ...base, status: "COMPLETED", responseKind: "omitted", responseFingerprint: "h" }, "fp", 0, 5),
    ).toEqual({ kind: "replay", stored: { kind: "omitted", fingerprint: "h" } });
  });

  test("refuses a failed record as failed", () => {
    expect(refusalFor({ ...base, status: "FAILED" }, "fp", 2_000, 5)).toEqual({ kind: "failed" });
  });

  test("answers an in-progress claim with the configured Retry-After", () => {
    expect(refusalFor(base, "fp", 2_000, 7)).toEqual({ kind: "in_progress", retryAfterSeconds: 7 });
  });

  test("answers an in-progress claim with a lease with the seconds the lease has left, at least 1", () => {
    expect(refusalFor({ ...base, leaseExpiresAtMs: 12_500 }, "fp", 2_000, 7)).toEqual({
      kind: "in_progress",
      retryAfterSeconds: 11,
    });
    expect(refusalFor({ ...base, leaseExpiresAtMs: 1_000 }, "fp", 2_000, 7)).toEqual({
      kind: "in_progress",
      retryAfterSeconds: 1,
    });
  });

  test("never runs a record whose status it does not know", () => {
    const unknown = { ...base, status: "ARCHIVED" as unknown as "FAILED" };
    expect(refusalFor(unknown, "fp", 2_000, 5).kind).toBe("in_progress");
  });
});
