import { describe, expect, test } from "@jest/globals";
import {
  DESTINATION_DIMENSION,
  emfCounterFor,
  emfCountLine,
  GATEWAY_METRICS,
  REASON_DIMENSION,
} from "../../../../lambdas/shared/metrics.ts";

describe("emfCountLine", () => {
  test("is one Embedded Metric Format document adding 1 to the metric, dimensioned by function", () => {
    expect(JSON.parse(emfCountLine("Accepted", "oncegate-intake", 1_767_225_600_000))).toEqual({
      _aws: {
        Timestamp: 1_767_225_600_000,
        CloudWatchMetrics: [
          {
            Namespace: "Oncegate",
            Dimensions: [["FunctionName"]],
            Metrics: [{ Name: "Accepted", Unit: "Count" }],
          },
        ],
      },
      FunctionName: "oncegate-intake",
      Accepted: 1,
    });
  });

  test.each(GATEWAY_METRICS)("writes %s on a single line", (metric) => {
    const line = emfCountLine(metric, "fn", 0);
    expect(line).not.toContain("\n");
    expect(JSON.parse(line)[metric]).toBe(1);
  });
});

describe("emfCounterFor", () => {
  test("inside Lambda, writes one line per count straight to the given writer, newline-terminated", () => {
    const written: string[] = [];
    const count = emfCounterFor(
      { AWS_LAMBDA_FUNCTION_NAME: "oncegate-delivery" },
      (line) => written.push(line),
      () => 42,
    );
    count?.("Delivered");
    count?.("Dead");
    expect(written).toEqual([
      `${emfCountLine("Delivered", "oncegate-delivery", 42)}\n`,
      `${emfCountLine("Dead", "oncegate-delivery", 42)}\n`,
    ]);
  });

  test("outside Lambda (no AWS_LAMBDA_FUNCTION_NAME) counts nothing", () => {
    expect(emfCounterFor({})).toBeUndefined();
    expect(emfCounterFor({ AWS_LAMBDA_FUNCTION_NAME: "" })).toBeUndefined();
  });
});

describe("emfCountLine with dimensions", () => {
  test("adds each dimension to the function's, in one dimension set, and as a property of the line", () => {
    const line = JSON.parse(emfCountLine("Retried", "oncegate-delivery", 7, { [DESTINATION_DIMENSION]: "orders" }));
    expect(line).toEqual({
      _aws: {
        Timestamp: 7,
        CloudWatchMetrics: [
          {
            Namespace: "Oncegate",
            Dimensions: [["FunctionName", "Destination"]],
            Metrics: [{ Name: "Retried", Unit: "Count" }],
          },
        ],
      },
      FunctionName: "oncegate-delivery",
      Destination: "orders",
      Retried: 1,
    });
  });

  test("the counter passes dimensions through", () => {
    const written: string[] = [];
    const count = emfCounterFor(
      { AWS_LAMBDA_FUNCTION_NAME: "intake" },
      (line) => written.push(line),
      () => 1,
    );
    count?.("Rejected", { [REASON_DIMENSION]: "invalid_signature" });
    expect(written).toEqual([`${emfCountLine("Rejected", "intake", 1, { Reason: "invalid_signature" })}\n`]);
  });
});
