import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { BODY_KEY_PREFIX, bodyObjectKey, sha256Hex } from "../../../../../lambdas/shared/body/bodyObjectKey.ts";

describe("bodyObjectKey", () => {
  test("is bodies/<2 hex>/<sha256>.<encoding> of the original bytes", () => {
    const sha = sha256Hex(Buffer.from("{}"));
    expect(sha).toBe("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
    expect(bodyObjectKey(sha, "gzip")).toBe(`bodies/44/${sha}.gz`);
    expect(bodyObjectKey(sha, "identity")).toBe(`bodies/44/${sha}.raw`);
  });

  test("gives the same bytes the same key and different bytes different keys, always under bodies/ (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), (a, b) => {
        const [keyA, keyB] = [bodyObjectKey(sha256Hex(a), "gzip"), bodyObjectKey(sha256Hex(b), "gzip")];
        expect(keyA.startsWith(BODY_KEY_PREFIX)).toBe(true);
        expect(bodyObjectKey(sha256Hex(Uint8Array.from(a)), "gzip")).toBe(keyA);
        expect(keyA === keyB).toBe(Buffer.from(a).equals(Buffer.from(b)));
      }),
    );
  });

  test("rejects a sha256 that is not 64 lowercase hex digits (a key is never built from untrusted text)", () => {
    expect(() => bodyObjectKey("../../etc/passwd", "gzip")).toThrow(/64 lowercase hex digits/);
    expect(() => bodyObjectKey("A".repeat(64), "gzip")).toThrow(/64 lowercase hex digits/);
  });
});
