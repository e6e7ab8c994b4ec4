import { describe, expect, test } from "@jest/globals";
import { InvalidIdempotencyKeyError } from "../../../sdk/errors.ts";
import {
  keyOfCommaJoined,
  keyOfHeaderLines,
  keyOfNodeRequest,
  keyOfWebHeaders,
} from "../../../sdk/idempotencyKeyHeader.ts";

describe("keyOfHeaderLines", () => {
  test("takes one line, or one value on several lines (compared trimmed), as the key", () => {
    expect(keyOfHeaderLines(["whk_1"])).toBe("whk_1");
    expect(keyOfHeaderLines(["whk_1", " whk_1 "])).toBe("whk_1");
    expect(keyOfHeaderLines([])).toBeUndefined();
  });

  test("rejects lines with different values as invalid_idempotency_key", () => {
    expect(() => keyOfHeaderLines(["whk_1", "whk_2"])).toThrow(InvalidIdempotencyKeyError);
    expect(() => keyOfHeaderLines(["", "whk_2"])).toThrow("several times with different values");
  });
});

describe("keyOfNodeRequest", () => {
  test("reads each line from headersDistinct, not the value headers joined with ', '", () => {
    const joined = { "idempotency-key": "a, b" };
    expect(() => keyOfNodeRequest({ headers: joined, headersDistinct: { "idempotency-key": ["a", "b"] } })).toThrow(
      InvalidIdempotencyKeyError,
    );
    expect(keyOfNodeRequest({ headers: joined, headersDistinct: { "idempotency-key": ["a, b"] } })).toBe("a, b");
  });

  test("falls back to headers without headersDistinct, an array there being several lines", () => {
    expect(keyOfNodeRequest({ headers: { "idempotency-key": "whk_1" } })).toBe("whk_1");
    expect(() => keyOfNodeRequest({ headers: { "idempotency-key": ["a", "b"] } })).toThrow(InvalidIdempotencyKeyError);
    expect(keyOfNodeRequest({ headers: {} })).toBeUndefined();
  });
});

describe("keyOfWebHeaders", () => {
  test("reads lines Headers joined: one value repeated is that key, different values are refused", () => {
    const headers = new Headers();
    headers.append("Idempotency-Key", "whk_1");
    headers.append("Idempotency-Key", "whk_1");
    expect(keyOfWebHeaders(headers)).toBe("whk_1");
    headers.append("Idempotency-Key", "whk_2");
    expect(() => keyOfWebHeaders(headers)).toThrow(InvalidIdempotencyKeyError);
  });

  test("rejects one line holding ', ' between different parts (it cannot be told from two lines); keeps 'a,b'", () => {
    expect(() => keyOfWebHeaders(new Headers({ "Idempotency-Key": "a, b" }))).toThrow(InvalidIdempotencyKeyError);
    expect(keyOfWebHeaders(new Headers({ "Idempotency-Key": "a,b" }))).toBe("a,b");
    expect(keyOfWebHeaders(new Headers())).toBeUndefined();
  });
});

describe("keyOfCommaJoined (payload format 2.0)", () => {
  test("reads a value AWS joined from lines of one key as that key", () => {
    expect(keyOfCommaJoined("whk_1")).toBe("whk_1");
    expect(keyOfCommaJoined("whk_1,whk_1")).toBe("whk_1");
    expect(keyOfCommaJoined("whk_1, whk_1")).toBe("whk_1");
  });

  test("refuses parts that differ", () => {
    expect(() => keyOfCommaJoined("whk_1,whk_2")).toThrow(InvalidIdempotencyKeyError);
  });
});
