import { describe, expect, test } from "@jest/globals";
import { emfCounterFor, emfCountLine, GATEWAY_METRICS } from "../../../../lambdas/shared/metrics.ts";

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
