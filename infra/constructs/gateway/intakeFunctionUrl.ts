import { Duration } from "aws-cdk-lib";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import {
  type FunctionUrl,
  FunctionUrlAuthType,
  InvokeMode,
  type Function as LambdaFunction,
} from "aws-cdk-lib/aws-lambda";
import type { IntakeEdge } from "./intakeEdge.ts";

/** The function URL edge: the intake's own HTTPS endpoint. */
export interface IntakeFunctionUrl extends IntakeEdge {
  readonly functionUrl: FunctionUrl;
}

/**
 * Puts the intake behind its Lambda function URL instead of an HTTP API. Providers cannot send IAM credentials, so
 * the URL is public (`NONE`), like the API's routes: the intake verifies each provider's signature. CDK grants both
 * `lambda:InvokeFunctionUrl` and `lambda:InvokeFunction` (the latter conditioned on the URL), which function URLs
 * created since October 2025 need (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
 *
 * Every path reaches the intake (which answers 404 `unknown_provider` and 405 itself), there is no stage or route
 * throttle (the intake's reserved concurrency is the only limit: beyond it Lambda answers 429), no access log and
 * no custom domain without a CloudFront distribution in front.
 */
export function newIntakeFunctionUrl(intake: LambdaFunction): IntakeFunctionUrl {
  const functionUrl = intake.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.BUFFERED });
  // https://docs.aws.amazon.com/lambda/latest/dg/urls-monitoring.html: AWS/Lambda, dimension FunctionName.
  const urlMetric = (metricName: string, statistic: string) => (period: Duration) =>
    new Metric({
      namespace: "AWS/Lambda",
      metricName,
      dimensionsMap: { FunctionName: intake.functionName },
      statistic,
      period,
    });
  return {
    functionUrl,
    intakeUrl: `${functionUrl.url}webhooks/`,
    metrics: {
      requests: urlMetric("UrlRequestCount", "Sum"),
      clientErrors: urlMetric("Url4xxCount", "Sum"),
      serverErrors: urlMetric("Url5xxCount", "Sum"),
      latencyP99: urlMetric("UrlRequestLatency", "p99"),
      throttled: intake.metricThrottles({ period: Duration.minutes(5), statistic: "Sum" }),
      throttledDescription:
        "Lambda throttled the intake behind its function URL (answered 429): its reserved concurrency is used up. " +
        "Providers that do not retry lose these webhooks; raise intakeReservedConcurrency.",
    },
  };
}
