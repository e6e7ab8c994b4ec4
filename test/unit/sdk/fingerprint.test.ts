import { describe, expect, test } from "@jest/globals";
import { canonicalJson, fingerprintOf } from "../../../sdk/fingerprint.ts";

describe("fingerprintOf", () => {
  test("is the same for the same text, bytes or document", () => {
    expect(fingerprintOf('{"a":1}')).toBe(fingerprintOf(Buffer.from('{"a":1}')));
    expect(fingerprintOf({ a: 1, b: [1, { d: 2, c: 3 }] })).toBe(fingerprintOf({ b: [1, { c: 3, d: 2 }], a: 1 }));
  });

  test("differs when the payload differs", () => {
    expect(fingerprintOf('{"amount":100}')).not.toBe(fingerprintOf('{"amount":1000}'));
    expect(fingerprintOf({ amount: 100 })).not.toBe(fingerprintOf({ amount: "100" }));
  });

  test("is a SHA-256 digest in base64url", () => {
    expect(fingerprintOf("")).toBe("47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
  });
});

describe("canonicalJson", () => {
  test("sorts keys at every level and maps undefined to null", () => {
    expect(canonicalJson({ b: { y: 1, x: 2 }, a: 0 })).toBe('{"a":0,"b":{"x":2,"y":1}}');
    expect(canonicalJson(undefined)).toBe("null");
  });
});
