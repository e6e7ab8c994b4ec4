import { Duration } from "aws-cdk-lib";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import {
  type AlarmMetric,
  type GatewayMetric,
  METRICS_DIMENSION,
  METRICS_NAMESPACE,
} from "../../../lambdas/shared/metrics.ts";

/**
 * A count the Lambdas publish as EMF lines (`lambdas/shared/metrics.ts`), summed per `period`: `fn`'s, and for
 * the alarm metrics the given extra dimensions (a destination, a refusal code). No label: an alarm on a labelled
 * metric is written as a metric-math alarm; the dashboard adds its own.
 */
export function gatewayCount(
  metric: GatewayMetric | AlarmMetric,
  fn: IFunction,
  period = Duration.minutes(1),
  dimensions: Readonly<Record<string, string>> = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: metric,
    dimensionsMap: { [METRICS_DIMENSION]: fn.functionName, ...dimensions },
    statistic: "Sum",
    period,
  });
}
