import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import {
  buildAttemptRecord,
  RESPONSE_BODY_EXCERPT_MAX_BYTES,
  responseBodyExcerpt,
} from "../../../../lambdas/delivery/attemptRecord.ts";

const bytes = (text: string) => Buffer.byteLength(text, "utf8");
const utf8 = (text: string) => new TextEncoder().encode(text);
const attempt = { attempt: 3, trigger: "retry" as const, atMs: 1_736_942_400_000, latencyMs: 412 };

describe("buildAttemptRecord", () => {
  test("records a response's status and body excerpt, with no error", () => {
    const record = buildAttemptRecord({ ...attempt, outcome: { kind: "response", status: 503 }, responseBody: "busy" });
    expect(record).toEqual({ ...attempt, statusCode: 503, responseBodyExcerpt: "busy" });
    expect(record).not.toHaveProperty("error");
  });

  test("records a timeout as an error, with no status code", () => {
    const record = buildAttemptRecord({ ...attempt, outcome: { kind: "timeout" } });
    expect(record).toEqual({ ...attempt, error: "timeout", responseBodyExcerpt: "" });
    expect(record).not.toHaveProperty("statusCode");
  });

  test("records a network error with its code", () => {
    expect(buildAttemptRecord({ ...attempt, outcome: { kind: "network-error", code: "ECONNRESET" } })).toEqual({
      ...attempt,
      error: "network_error:ECONNRESET",
      responseBodyExcerpt: "",
    });
  });

  test("keeps only the first 1 KB of a large body", () => {
    const record = buildAttemptRecord({
      ...attempt,
      outcome: { kind: "response", status: 500 },
      responseBody: utf8("x".repeat(10_000)),
    });
    expect(record.responseBodyExcerpt).toBe("x".repeat(1024));
  });
});

describe("responseBodyExcerpt", () => {
  test("keeps a short body whole", () => {
    expect(responseBodyExcerpt('{"error":"nope"}')).toBe('{"error":"nope"}');
    expect(responseBodyExcerpt(utf8("caf\u00e9 \u{1F680}"))).toBe("caf\u00e9 \u{1F680}");
    expect(responseBodyExcerpt("")).toBe("");
    expect(responseBodyExcerpt(new Uint8Array())).toBe("");
  });

  test("keeps exactly 1024 ASCII bytes", () => {
    expect(RESPONSE_BODY_EXCERPT_MAX_BYTES).toBe(1024);
    expect(responseBodyExcerpt("a".repeat(2000))).toBe("a".repeat(1024));
  });

  test.each([
    ["a two-byte character", `${"a".repeat(1023)}\u00e9`, "a".repeat(1023)],
    ["a three-byte character", `${"a".repeat(1022)}\u20ac`, "a".repeat(1022)],
    ["a four-byte emoji", `a${"\u{1F680}".repeat(300)}`, `a${"\u{1F680}".repeat(255)}`],
  ])("drops %s the 1024-byte cut would split, from a string or from bytes", (_name, body, expected) => {
    expect(responseBodyExcerpt(body)).toBe(expected);
    expect(responseBodyExcerpt(utf8(body))).toBe(expected);
  });

  test("keeps 256 four-byte emoji, exactly 1024 bytes", () => {
    expect(responseBodyExcerpt("\u{1F680}".repeat(300))).toBe("\u{1F680}".repeat(256));
  });

  test("turns bytes that are not UTF-8 into U+FFFD and still fits 1024 bytes", () => {
    const excerpt = responseBodyExcerpt(new Uint8Array(2000).fill(0xff));
    expect(excerpt).toBe("\ufffd".repeat(341));
    expect(bytes(excerpt)).toBe(1023);
  });

  test("turns a lone surrogate in a string into U+FFFD", () => {
    expect(responseBodyExcerpt("ok\ud800!")).toBe("ok\ufffd!");
  });

  test("returns a well-formed prefix of at most 1024 bytes for any string (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 1500 }), (body) => {
        const excerpt = responseBodyExcerpt(body);
        expect(excerpt.isWellFormed()).toBe(true);
        expect(bytes(excerpt)).toBeLessThanOrEqual(RESPONSE_BODY_EXCERPT_MAX_BYTES);
        expect(body.startsWith(excerpt)).toBe(true);
        // Nothing dropped that would have fitted.
        if (excerpt.length < body.length) {
          const next = String.fromCodePoint(body.codePointAt(excerpt.length) ?? 0);
          expect(bytes(excerpt) + bytes(next)).toBeGreaterThan(RESPONSE_BODY_EXCERPT_MAX_BYTES);
        }
      }),
    );
  });

  test("returns well-formed text of at most 1024 UTF-8 bytes for any bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (body) => {
        const excerpt = responseBodyExcerpt(body);
        expect(excerpt.isWellFormed()).toBe(true);
        expect(bytes(excerpt)).toBeLessThanOrEqual(RESPONSE_BODY_EXCERPT_MAX_BYTES);
      }),
    );
  });
});
