import { Duration, type RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  type CfnStage,
  type DomainName,
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { FilterPattern, LogGroup, MetricFilter, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { INTAKE_INTEGRATION_TIMEOUT_SECONDS } from "../../../lambdas/shared/intakeTimeouts.ts";
import { METRICS_NAMESPACE } from "../../../lambdas/shared/metrics.ts";
import type { RouteThrottle } from "../../providerRoutes.ts";
import { type IntakeDomainSettings, newIntakeDomain } from "./intakeDomain.ts";
import type { IntakeEdge } from "./intakeEdge.ts";

/** A provider's route: what it is pointed at, `provider` being its key in the configuration's `providers`. */
export function intakeRoutePath(provider: string): string {
  return `/webhooks/${provider}`;
}

export interface IntakeApiProps {
  readonly intake: IFunction;
  /** The stage's default throttle. */
  readonly throttle: ThrottleSettings;
  /** One route per provider, each throttled on its own. */
  readonly routes: ReadonlyMap<string, RouteThrottle>;
  readonly domain: IntakeDomainSettings;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

export interface IntakeApi extends IntakeEdge {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** The custom domain, when there is one. */
  readonly domainName?: DomainName;
}

/** The metric the access log's 429 lines become. */
export const THROTTLED_METRIC = "IntakeThrottled";

// One JSON object per request: who called, which route, what the intake answered and how long it took.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    apiId: "$context.apiId",
    time: "$context.requestTime",
    sourceIp: "$context.identity.sourceIp",
    userAgent: "$context.identity.userAgent",
    routeKey: "$context.routeKey",
    path: "$context.path",
    status: "$context.status",
    responseLength: "$context.responseLength",
    latencyMs: "$context.responseLatency",
    integrationStatus: "$context.integrationStatus",
    integrationError: "$context.integrationErrorMessage",
  }),
);

/**
 * The HTTP API (API Gateway v2) in front of the intake: `POST /webhooks/<provider>` for each configured provider and
 * nothing else (any other request is answered 404 by API Gateway, without invoking the intake), each route with its
 * own throttle, on the `$default` stage with JSON access logs, optionally behind a custom domain.
 */
export function newIntakeApi(scope: Construct, props: IntakeApiProps): IntakeApi {
  const api = new HttpApi(scope, "IntakeApi", {
    apiName: `${Stack.of(scope).stackName}-intake`,
    description: "Oncegate intake: providers POST their webhooks here",
    createDefaultStage: false,
    disableExecuteApiEndpoint: props.domain.disableExecuteApiEndpoint,
  });
  const accessLogs = new LogGroup(scope, "IntakeApiAccessLogs", {
    retention: props.logRetention,
    removalPolicy: props.logRemovalPolicy,
  });
  const domainName = props.domain.domain && newIntakeDomain(scope, props.domain.domain);
  const stage = api.addStage("DefaultStage", {
    stageName: "$default",
    autoDeploy: true,
    throttle: props.throttle,
    accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    domainMapping: domainName && { domainName },
  });
  const integration = new HttpLambdaIntegration("Intake", props.intake, {
    timeout: Duration.seconds(INTAKE_INTEGRATION_TIMEOUT_SECONDS),
  });
  const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
  for (const [provider, throttle] of props.routes) {
    const path = intakeRoutePath(provider);
    const [route] = api.addRoutes({ path, methods: [HttpMethod.POST], integration });
    if (route === undefined) continue;
    routeSettings[`${HttpMethod.POST} ${path}`] = {
      ThrottlingRateLimit: throttle.rateLimit,
      ThrottlingBurstLimit: throttle.burstLimit,
    };
    // CloudFormation refuses the settings of a route that does not exist yet.
    stage.node.addDependency(route);
    Validations.of(route).acknowledge({
      id: "AwsSolutions::AwsSolutions-APIG4",
      reason: "Providers cannot send IAM or JWT credentials; the intake verifies each provider's signature instead.",
    });
  }
  (stage.node.defaultChild as CfnStage).routeSettings = routeSettings;
  const base = domainName === undefined ? stage.url : `https://${props.domain.domain?.domainName}/`;
  return {
    api,
    stage,
    accessLogs,
    intakeUrl: `${base}webhooks/`,
    metrics: {
      requests: (period) => api.metricCount({ period, statistic: "Sum" }),
      clientErrors: (period) => api.metricClientError({ period, statistic: "Sum" }),
      serverErrors: (period) => api.metricServerError({ period, statistic: "Sum" }),
      latencyP99: (period) => api.metricLatency({ period, statistic: "p99" }),
      // HTTP APIs publish no throttle metric: the 429s are counted from the access log.
      throttled: throttled(scope, api, accessLogs),
      throttledDescription:
        "API Gateway answered 429 (throttled, without Retry-After): a provider's route or the stage is over its rate " +
        "limit. Providers that do not retry lose these webhooks; see the access log's routeKey.",
    },
    domainName,
  };
}

// Dimensioned by API id, so two gateways in one account count apart.
function throttled(scope: Construct, api: HttpApi, accessLogs: LogGroup): Metric {
  new MetricFilter(scope, "IntakeThrottledFilter", {
    logGroup: accessLogs,
    filterPattern: FilterPattern.stringValue("$.status", "=", "429"),
    metricNamespace: METRICS_NAMESPACE,
    metricName: THROTTLED_METRIC,
    metricValue: "1",
    dimensions: { ApiId: "$.apiId" },
  });
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: THROTTLED_METRIC,
    dimensionsMap: { ApiId: api.apiId },
    statistic: "Sum",
    period: Duration.minutes(5),
  });
}
