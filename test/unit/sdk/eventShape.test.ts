import { describe, expect, test } from "@jest/globals";
import { eventShapeOf, httpBodyOf, parsePayload, readHeader } from "../../../sdk/eventShape.ts";
import {
  albEvent,
  eventBridgeEvent,
  httpApiEvent,
  restApiEvent,
  sqsEvent,
  sqsRecord,
} from "../../support/lambdaEvents.ts";

describe("eventShapeOf", () => {
  test("recognises API Gateway v1, v2 / Function URL and ALB requests as http", () => {
    expect(eventShapeOf(httpApiEvent({}))).toBe("http");
    expect(eventShapeOf(restApiEvent({}))).toBe("http");
    expect(eventShapeOf(albEvent({}, {}))).toBe("http");
  });

  test("recognises SQS batches and EventBridge events", () => {
    expect(eventShapeOf(sqsEvent([sqsRecord({})]))).toBe("sqs");
    expect(eventShapeOf(eventBridgeEvent("e1", {}))).toBe("eventbridge");
  });

  test("calls anything else other", () => {
    for (const event of [null, undefined, "x", 1, {}, { Records: [] }, { Records: [{ eventSource: "aws:s3" }] }]) {
      expect(eventShapeOf(event)).toBe("other");
    }
  });
});

describe("readHeader", () => {
  test("reads a header whatever its case", () => {
    expect(readHeader({ headers: { "IDEMPOTENCY-KEY": "k1" } }, "Idempotency-Key")).toEqual({ value: "k1" });
    expect(readHeader({ multiValueHeaders: { "idempotency-key": ["k1"] } }, "Idempotency-Key")).toEqual({
      value: "k1",
    });
  });

  test("treats the same value in headers and multiValueHeaders as one", () => {
    expect(readHeader(restApiEvent({}, { "Idempotency-Key": "k1" }), "idempotency-key")).toEqual({ value: "k1" });
  });

  test("reports a conflict when the header has several different values", () => {
    expect(readHeader({ multiValueHeaders: { "Idempotency-Key": ["k1", "k2"] } }, "idempotency-key")).toEqual({
      conflict: true,
    });
  });

  test("finds nothing in null headers", () => {
    expect(readHeader({ headers: null, multiValueHeaders: null }, "idempotency-key")).toEqual({});
  });
});

describe("httpBodyOf / parsePayload", () => {
  test("decodes base64 bodies to bytes", () => {
    const body = httpBodyOf({ body: Buffer.from('{"a":1}').toString("base64"), isBase64Encoded: true });
    expect(Buffer.isBuffer(body)).toBe(true);
    expect(parsePayload(body)).toEqual({ a: 1 });
  });

  test("prefers the raw body a parser kept over the parsed one", () => {
    expect(httpBodyOf({ body: { a: 1 }, rawBody: '{"a":1}' })).toBe('{"a":1}');
  });

  test("leaves non-JSON text as text and a missing body undefined", () => {
    expect(parsePayload("hello")).toBe("hello");
    expect(parsePayload(httpBodyOf({ body: null }))).toBeUndefined();
  });
});
