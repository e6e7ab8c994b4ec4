import { type CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from "@aws-sdk/client-cloudwatch";
import {
  GATEWAY_METRICS,
  type GatewayMetric,
  METRICS_DIMENSION,
  METRICS_NAMESPACE,
} from "../../lambdas/shared/metrics.ts";
import { asOperator } from "../target/awsFailures.ts";
import { addCount, emptyCounts, type GatewayCountSource, type MetricWindow } from "./gatewayCounts.ts";

/** The functions that count (the stack's `IntakeFunctionName` and `DeliveryFunctionName` outputs). */
export interface CountingFunctions {
  intake: string;
  delivery: string;
}

/** Which function counts each metric: the intake what comes in, the delivery each job's outcome. */
const COUNTED_BY: Record<GatewayMetric, keyof CountingFunctions> = {
  Accepted: "intake",
  Duplicate: "intake",
  Delivered: "delivery",
  Failed: "delivery",
  Dead: "delivery",
  Unrouted: "intake",
};

/** The `Sum` of each metric per bucket, in one GetMetricData request (paged), under each function's dimension. */
export function metricQueries(functions: CountingFunctions, bucketMs: number): MetricDataQuery[] {
  return GATEWAY_METRICS.map((metric, index) => ({
    // An id must start with a lower-case letter; the index gives the metric back.
    Id: `m${index}`,
    MetricStat: {
      Metric: {
        Namespace: METRICS_NAMESPACE,
        MetricName: metric,
        Dimensions: [{ Name: METRICS_DIMENSION, Value: functions[COUNTED_BY[metric]] }],
      },
      Period: bucketMs / 1000,
      Stat: "Sum",
    },
    ReturnData: true,
  }));
}

/**
 * The gateway's counts from CloudWatch, where its EMF lines become metrics (namespace `Oncegate`). One-minute data
 * is kept 15 days: enough for the overview's hour and day. Needs `cloudwatch:GetMetricData` (the OperatorPolicy).
 */
export function cloudWatchCounts(client: CloudWatchClient, functions: CountingFunctions): GatewayCountSource {
  return {
    label: `CloudWatch (namespace ${METRICS_NAMESPACE})`,
    async counts(window: MetricWindow) {
      const counts = emptyCounts(window);
      const queries = metricQueries(functions, window.bucketMs);
      let nextToken: string | undefined;
      do {
        const page = await asOperator("read the gateway's metrics (cloudwatch:GetMetricData)", () =>
          client.send(
            new GetMetricDataCommand({
              MetricDataQueries: queries,
              StartTime: new Date(window.sinceMs),
              EndTime: new Date(window.untilMs),
              ScanBy: "TimestampAscending",
              NextToken: nextToken,
            }),
          ),
        );
        for (const result of page.MetricDataResults ?? []) {
          const metric = GATEWAY_METRICS[Number(result.Id?.slice(1))];
          if (metric === undefined) continue;
          (result.Timestamps ?? []).forEach((at, index) => {
            addCount(counts, window, metric, at.getTime(), result.Values?.[index] ?? 0);
          });
        }
        nextToken = page.NextToken;
      } while (nextToken !== undefined);
      return counts;
    },
  };
}
