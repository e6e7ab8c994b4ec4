import { beforeAll, describe, expect, test } from "@jest/globals";
import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { WebhookGateway } from "../../infra/constructs/webhookGateway.ts";
import type { OncegateStack } from "../../infra/oncegateStack.ts";
import {
  INTAKE_DEADLINE_MS,
  INTAKE_INTEGRATION_TIMEOUT_SECONDS,
  INTAKE_LAMBDA_TIMEOUT_SECONDS,
} from "../../lambdas/shared/intakeTimeouts.ts";
import { oncegateStack, testApp } from "./support/testApp.ts";

let stack: OncegateStack;
let template: Template;
beforeAll(() => {
  stack = oncegateStack();
  template = Template.fromStack(stack);
});

describe("WebhookGateway intake API", () => {
  test("is an HTTP API with one route, POST /webhooks/{provider}, proxied to the intake (payload 2.0)", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route"));
    expect(routes.map((route) => route.Properties.RouteKey)).toEqual(["POST /webhooks/{provider}"]);
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      IntegrationType: "AWS_PROXY",
      PayloadFormatVersion: "2.0",
      IntegrationUri: stack.resolve(stack.gateway.intakeFunction.functionArn),
    });
  });

  test("derives the intake's deadline, its Lambda timeout and the integration timeout from one constant", () => {
    expect(INTAKE_LAMBDA_TIMEOUT_SECONDS * 1000).toBeGreaterThan(INTAKE_DEADLINE_MS);
    expect(INTAKE_INTEGRATION_TIMEOUT_SECONDS).toBeGreaterThan(INTAKE_LAMBDA_TIMEOUT_SECONDS);
    expect(INTAKE_INTEGRATION_TIMEOUT_SECONDS).toBeLessThanOrEqual(30);
    template.hasResourceProperties("AWS::ApiGatewayV2::Integration", {
      TimeoutInMillis: INTAKE_INTEGRATION_TIMEOUT_SECONDS * 1000,
    });
    const intake = template.findResources("AWS::Lambda::Function", {
      Properties: { Description: Match.stringLikeRegexp("^Oncegate intake") },
    });
    expect(Object.values(intake).map((fn) => fn.Properties.Timeout)).toEqual([INTAKE_LAMBDA_TIMEOUT_SECONDS]);
  });

  test("lets API Gateway invoke the intake for that route only", () => {
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      Principal: "apigateway.amazonaws.com",
      FunctionName: stack.resolve(stack.gateway.intakeFunction.functionArn),
      SourceArn: { "Fn::Join": ["", Match.arrayWith(["/*/*/webhooks/{provider}"])] },
    });
  });

  test("throttles the $default stage at 100 requests per second, bursts of 200, by default", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
  });

  test("takes the stage throttling from the props", () => {
    const custom = new Stack(testApp(), "Throttled");
    new WebhookGateway(custom, "Gateway", {
      config: {
        providers: { shopify: { scheme: "shopify", secrets: [{ create: "shopify" }] } },
        destinations: [{ id: "shop", url: "https://shop.example.com/hooks", signingSecrets: [{ create: "shop" }] }],
      },
      throttle: { rateLimit: 20, burstLimit: 40 },
    });
    Template.fromStack(custom).hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });

  test("writes one JSON access log line per request to a log group kept a month", () => {
    const [stage] = Object.values(template.findResources("AWS::ApiGatewayV2::Stage"));
    const { DestinationArn, Format } = stage?.Properties.AccessLogSettings ?? {};
    expect(JSON.parse(Format)).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
      integrationError: "$context.integrationErrorMessage",
    });
    const logGroup = template.toJSON().Resources[DestinationArn["Fn::GetAtt"][0]];
    expect(logGroup).toMatchObject({ Type: "AWS::Logs::LogGroup", Properties: { RetentionInDays: 30 } });
  });

  test("exposes the intake URL as the stage URL followed by webhooks/", () => {
    expect(stack.resolve(stack.gateway.intakeUrl)).toEqual({
      "Fn::Join": [
        "",
        [
          "https://",
          stack.resolve(stack.gateway.api.apiId),
          ".execute-api.",
          { Ref: "AWS::Region" },
          ".",
          { Ref: "AWS::URLSuffix" },
          "/webhooks/",
        ],
      ],
    });
  });
});
