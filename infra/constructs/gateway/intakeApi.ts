import { Duration, type RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, type RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { INTAKE_INTEGRATION_TIMEOUT_SECONDS } from "../../../lambdas/shared/intakeTimeouts.ts";

/** The one route: what providers are pointed at, `{provider}` being a key of the configuration's `providers`. */
export const INTAKE_ROUTE_PATH = "/webhooks/{provider}";

export interface IntakeApiProps {
  readonly intake: IFunction;
  readonly throttle: ThrottleSettings;
  readonly logRetention: RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

export interface IntakeApi {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  /** `https://…/webhooks/`: a provider's webhook URL is this followed by the provider's name. */
  readonly intakeUrl: string;
}

// One JSON object per request: who called, which route, what the intake answered and how long it took.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
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
 * The HTTP API (API Gateway v2) in front of the intake: `POST /webhooks/{provider}` only, on the `$default` stage
 * with stage-wide throttling and JSON access logs.
 */
export function newIntakeApi(scope: Construct, props: IntakeApiProps): IntakeApi {
  const api = new HttpApi(scope, "IntakeApi", {
    apiName: `${Stack.of(scope).stackName}-intake`,
    description: "Oncegate intake: providers POST their webhooks here",
    createDefaultStage: false,
  });
  const accessLogs = new LogGroup(scope, "IntakeApiAccessLogs", {
    retention: props.logRetention,
    removalPolicy: props.logRemovalPolicy,
  });
  const stage = api.addStage("DefaultStage", {
    stageName: "$default",
    autoDeploy: true,
    throttle: props.throttle,
    accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
  });
  const [route] = api.addRoutes({
    path: INTAKE_ROUTE_PATH,
    methods: [HttpMethod.POST],
    integration: new HttpLambdaIntegration("Intake", props.intake, {
      timeout: Duration.seconds(INTAKE_INTEGRATION_TIMEOUT_SECONDS),
    }),
  });
  if (route !== undefined) {
    Validations.of(route).acknowledge({
      id: "AwsSolutions::AwsSolutions-APIG4",
      reason: "Providers cannot send IAM or JWT credentials; the intake verifies each provider's signature instead.",
    });
  }
  return { api, stage, accessLogs, intakeUrl: `${stage.url}webhooks/` };
}
