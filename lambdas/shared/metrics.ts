/**
 * The gateway's business counts, published as CloudWatch Embedded Metric Format (EMF) log lines: CloudWatch Logs
 * turns each line into a metric data point, so counting costs no API call. The dashboard and the CDK app read the
 * names below, so the Lambdas and the infrastructure cannot disagree.
 */

/** CloudWatch namespace of every Oncegate metric. */
export const METRICS_NAMESPACE = "Oncegate";

/** The one dimension: the function that counted (each deployed gateway has its own functions). */
export const METRICS_DIMENSION = "FunctionName";

/**
 * What the gateway counts: events in (intake) and job outcomes (delivery). `Unrouted` counts the accepted events
 * (each also an `Accepted`) that no destination's event filter took: stored, sent nowhere.
 */
export const GATEWAY_METRICS = ["Accepted", "Duplicate", "Delivered", "Failed", "Dead", "Unrouted"] as const;
export type GatewayMetric = (typeof GATEWAY_METRICS)[number];

/**
 * What the alarms count besides: `Rejected` by the intake per refusal (dimension `Reason`, the refusal code),
 * `Retried` by the delivery per retried job (dimension `Destination`, the destination id), `SweepFailed` by the
 * sweeper per event it could not re-enqueue, `CircuitOpened` by the delivery when a destination's circuit opens
 * (dimension `Destination`). Dimension values are configured names or fixed codes, never
 * untrusted input, so the number of metrics stays bounded.
 */
export const ALARM_METRICS = ["Rejected", "Retried", "SweepFailed", "CircuitOpened"] as const;
export type AlarmMetric = (typeof ALARM_METRICS)[number];

/** The dimension of `Retried`: the destination's id. */
export const DESTINATION_DIMENSION = "Destination";
/** The dimension of `Rejected`: the refusal code (`invalid_signature`…). */
export const REASON_DIMENSION = "Reason";

/** Adds one to a metric. */
export type MetricCounter = (metric: GatewayMetric) => void;

/** Adds one to any metric, under the function's dimension plus `dimensions`: what {@link emfCounterFor} returns. */
export type EmfCounter = (metric: GatewayMetric | AlarmMetric, dimensions?: Readonly<Record<string, string>>) => void;

/**
 * One EMF document (one JSON line) adding 1 to `metric` for `functionName` at `timestampMs`, in one dimension set:
 * the function, then each of `dimensions`.
 */
export function emfCountLine(
  metric: GatewayMetric | AlarmMetric,
  functionName: string,
  timestampMs: number,
  dimensions: Readonly<Record<string, string>> = {},
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[METRICS_DIMENSION, ...Object.keys(dimensions)]],
          Metrics: [{ Name: metric, Unit: "Count" }],
        },
      ],
    },
    [METRICS_DIMENSION]: functionName,
    ...dimensions,
    [metric]: 1,
  });
}

/**
 * The counter a Lambda uses: one EMF line per count, written straight to stdout, or `undefined` outside Lambda
 * (no `AWS_LAMBDA_FUNCTION_NAME`), where no CloudWatch Logs reads them and they would only clutter the output.
 *
 * Not `console.log`: with Lambda's JSON log format the runtime wraps console output in its own JSON object, which
 * hides `_aws` from CloudWatch's EMF extraction; lines written to stdout directly are stored as they are.
 */
export function emfCounterFor(
  env: Readonly<Record<string, string | undefined>>,
  write: (line: string) => void = (line) => process.stdout.write(line),
  nowMs: () => number = Date.now,
): EmfCounter | undefined {
  const functionName = env.AWS_LAMBDA_FUNCTION_NAME;
  if (functionName === undefined || functionName === "") return undefined;
  return (metric, dimensions) => write(`${emfCountLine(metric, functionName, nowMs(), dimensions)}\n`);
}
