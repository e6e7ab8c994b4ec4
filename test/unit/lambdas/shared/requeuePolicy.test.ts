import { describe, expect, test } from "@jest/globals";
import { abandonedBeforeMs, isAbandoned } from "../../../../lambdas/shared/requeuePolicy.ts";

describe("isAbandoned", () => {
  const now = 1_000_000;

  test("is true only for a RECEIVED event older than sweepAfterSeconds", () => {
    expect(abandonedBeforeMs(now, 120)).toBe(880_000);
    expect(isAbandoned({ status: "RECEIVED", receivedAtMs: 879_999 }, now, 120)).toBe(true);
    // Exactly at the threshold its own invocation may still be running.
    expect(isAbandoned({ status: "RECEIVED", receivedAtMs: 880_000 }, now, 120)).toBe(false);
    expect(isAbandoned({ status: "QUEUED", receivedAtMs: 0 }, now, 120)).toBe(false);
    expect(isAbandoned({ status: "DELIVERED", receivedAtMs: 0 }, now, 120)).toBe(false);
  });
});
