import { describe, expect, test } from "@jest/globals";
import { retryAfterSeconds } from "../../../../lambdas/delivery/retryAfter.ts";

const nowMs = Date.UTC(2025, 0, 15, 12, 0, 0);
const httpDate = (atMs: number) => new Date(atMs).toUTCString();

describe("retryAfterSeconds", () => {
  test("reads delay-seconds", () => {
    expect(retryAfterSeconds("120", nowMs)).toBe(120);
    expect(retryAfterSeconds(" 0 ", nowMs)).toBe(0);
  });

  test("reads an IMF-fixdate relative to nowMs", () => {
    expect(httpDate(nowMs + 90_000)).toBe("Wed, 15 Jan 2025 12:01:30 GMT");
    expect(retryAfterSeconds("Wed, 15 Jan 2025 12:01:30 GMT", nowMs)).toBe(90);
  });

  test("rounds a date up to the next whole second", () => {
    expect(retryAfterSeconds(httpDate(nowMs + 90_000), nowMs + 500)).toBe(90);
    expect(retryAfterSeconds(httpDate(nowMs + 90_000), nowMs + 1)).toBe(90);
  });

  test("gives 0 for a date in the past", () => {
    expect(retryAfterSeconds(httpDate(nowMs - 3_600_000), nowMs)).toBe(0);
  });

  test("reads a bare year as seconds, not as a date", () => {
    expect(retryAfterSeconds("2025", nowMs)).toBe(2025);
  });

  test("leaves a huge value unbounded for the policy to cap", () => {
    expect(retryAfterSeconds("99999999999", nowMs)).toBe(99_999_999_999);
    expect(retryAfterSeconds("9".repeat(400), nowMs)).toBe(Number.POSITIVE_INFINITY);
  });

  test.each([
    undefined,
    "",
    "soon",
    "1.5",
    "-5",
    "+5",
    "1e3",
    "Wed, 15 Jan 2025",
    "2025-01-15T12:01:30Z",
    "Wednesday, 15-Jan-25 12:01:30 GMT",
    "Wed Jan 15 12:01:30 2025",
    "Wed, 32 Jan 2025 12:01:30 GMT",
  ])("treats %j as no header", (header) => {
    expect(retryAfterSeconds(header, nowMs)).toBeUndefined();
  });
});
