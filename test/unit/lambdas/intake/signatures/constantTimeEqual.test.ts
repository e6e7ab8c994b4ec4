import { describe, expect, test } from "@jest/globals";
import { anySignatureMatches, constantTimeEqual } from "../../../../../lambdas/intake/signatures/constantTimeEqual.ts";

describe("constantTimeEqual", () => {
  test("is true for equal strings and equal bytes", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual(Buffer.from([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
  });

  test("is false for different values of the same length", () => {
    expect(constantTimeEqual("abc", "abd")).toBe(false);
  });

  test("is false, without throwing, for values of different lengths", () => {
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
    expect(constantTimeEqual("", "a")).toBe(false);
  });

  test("compares strings as UTF-8 bytes", () => {
    expect(constantTimeEqual("é", Buffer.from([0xc3, 0xa9]))).toBe(true);
  });
});

describe("anySignatureMatches", () => {
  test("is true when any received signature equals any expected one", () => {
    expect(anySignatureMatches(["x", "y"], ["z", "y"])).toBe(true);
  });

  test("is false when nothing matches or nothing is expected", () => {
    expect(anySignatureMatches(["x"], ["y"])).toBe(false);
    expect(anySignatureMatches(["x"], [])).toBe(false);
  });
});
