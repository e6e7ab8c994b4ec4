import { describe, expect, test } from "@jest/globals";
import { parseDeliveryJob, receiveCountOf } from "../../../../lambdas/delivery/jobMessage.ts";

describe("parseDeliveryJob", () => {
  test("reads a job's event key and destination", () => {
    expect(parseDeliveryJob('{"pk":"stripe#evt_1","destination":"orders"}')).toEqual({
      pk: "stripe#evt_1",
      destination: "orders",
    });
  });

  test("ignores extra fields", () => {
    expect(parseDeliveryJob('{"pk":"p","destination":"d","v":2}')).toEqual({ pk: "p", destination: "d" });
  });

  test.each([
    ["not JSON", "{"],
    ["JSON null", "null"],
    ["an array", "[]"],
    ["a missing pk", '{"destination":"orders"}'],
    ["an empty pk", '{"pk":"","destination":"orders"}'],
    ["a numeric pk", '{"pk":1,"destination":"orders"}'],
    ["a pk longer than DynamoDB allows", JSON.stringify({ pk: "p".repeat(2049), destination: "orders" })],
    ["a missing destination", '{"pk":"p"}'],
    ["a destination id outside the id rule", '{"pk":"p","destination":"Orders/../x"}'],
  ])("rejects %s", (_name, body) => {
    expect(parseDeliveryJob(body)).toBeUndefined();
  });
});

describe("receiveCountOf", () => {
  test("is SQS's receive count", () => {
    expect(receiveCountOf({ ApproximateReceiveCount: "3" })).toBe(3);
  });

  test.each([
    undefined,
    {},
    { ApproximateReceiveCount: "" },
    { ApproximateReceiveCount: "0" },
    { ApproximateReceiveCount: "x" },
  ])("takes %j as the first attempt", (attributes) => {
    expect(receiveCountOf(attributes)).toBe(1);
  });
});
