import { describe, expect, test } from "@jest/globals";
import { InvalidIdempotencyKeyError, MissingIdempotencyKeyError } from "../../../sdk/errors.ts";
import { normalizeIdempotencyKey, recordId } from "../../../sdk/idempotencyKey.ts";

describe("normalizeIdempotencyKey", () => {
  test("trims surrounding whitespace", () => {
    expect(normalizeIdempotencyKey("  whk_abc \t")).toBe("whk_abc");
  });

  test("accepts a 255-character key and unicode", () => {
    expect(normalizeIdempotencyKey("k".repeat(255))).toHaveLength(255);
    expect(normalizeIdempotencyKey("clé-✓-#/")).toBe("clé-✓-#/");
  });

  test("rejects a missing or blank key as missing_idempotency_key", () => {
    for (const raw of [undefined, null, "", "   "]) {
      expect(() => normalizeIdempotencyKey(raw)).toThrow(MissingIdempotencyKeyError);
    }
  });

  test("rejects a key longer than 255 characters as invalid_idempotency_key", () => {
    expect(() => normalizeIdempotencyKey("k".repeat(256))).toThrow(InvalidIdempotencyKeyError);
  });

  test("rejects control characters, including DEL and C1 controls", () => {
    for (const raw of ["a\nb", "a\u0000b", "a\u007fb", "a\u0085b", "a\tb"]) {
      expect(() => normalizeIdempotencyKey(raw)).toThrow(InvalidIdempotencyKeyError);
    }
  });
});

describe("recordId", () => {
  test("stores records under scope#key", () => {
    expect(recordId("consumer-fn", "whk_1")).toBe("consumer-fn#whk_1");
  });

  test("keeps (scope, key) pairs apart even when they contain the separator", () => {
    expect(recordId("a#b", "c")).not.toBe(recordId("a", "b#c"));
    expect(recordId("a%23b", "c")).not.toBe(recordId("a#b", "c"));
  });
});
