import { beforeAll, describe, expect, test } from "@jest/globals";
import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { WebhookGateway, type WebhookGatewayProps } from "../../infra/constructs/webhookGateway.ts";
import type { GatewayDeploymentConfig } from "../../infra/gatewayDeploymentConfig.ts";
import type { OncegateStack } from "../../infra/oncegateStack.ts";
import { ENV } from "../../lambdas/shared/environment.ts";
import {
  INTAKE_DEADLINE_MS,
  INTAKE_INTEGRATION_TIMEOUT_SECONDS,
  INTAKE_LAMBDA_TIMEOUT_SECONDS,
} from "../../lambdas/shared/intakeTimeouts.ts";
import { joinedJson } from "./support/joinedJson.ts";
import { oncegateStack, testApp } from "./support/testApp.ts";

let stack: OncegateStack;
let template: Template;
beforeAll(() => {
  stack = oncegateStack();
  template = Template.fromStack(stack);
});

describe("WebhookGateway intake API", () => {
  test("is an HTTP API with one route per configured provider, POST /webhooks/<name>, proxied to the intake (payload 2.0)", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Api", 1);
    template.hasResourceProperties("AWS::ApiGatewayV2::Api", { ProtocolType: "HTTP" });
    const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route"));
    // No catch-all: a request for any other path is answered 404 by API Gateway, without invoking the intake.
    expect(routes.map((route) => route.Properties.RouteKey)).toEqual(["POST /webhooks/demo"]);
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

  test("lets API Gateway invoke the intake for the providers' routes only", () => {
    const permissions = Object.values(template.findResources("AWS::Lambda::Permission")).filter(
      (permission) => permission.Properties.Principal === "apigateway.amazonaws.com",
    );
    expect(permissions).toHaveLength(1);
    template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      Principal: "apigateway.amazonaws.com",
      FunctionName: stack.resolve(stack.gateway.intakeFunction.functionArn),
      SourceArn: { "Fn::Join": ["", Match.arrayWith(["/*/*/webhooks/demo"])] },
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
          stack.resolve(stack.gateway.api?.apiId),
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

describe("WebhookGateway routes per provider", () => {
  const config: GatewayDeploymentConfig = {
    providers: {
      stripe: { scheme: "stripe", secrets: [{ create: "stripe" }], rateLimit: 50, burstLimit: 80 },
      github: { scheme: "github", secrets: [{ create: "github" }], rateLimit: 5 },
      shopify: { scheme: "shopify", secrets: [{ create: "shopify" }] },
    },
    destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
  };
  const synth = (props: Partial<WebhookGatewayProps> = {}) => {
    const custom = new Stack(testApp(), "Routes");
    const gateway = new WebhookGateway(custom, "Gateway", { config, ...props });
    return { custom, gateway, template: Template.fromStack(custom) };
  };

  test("throttles each provider's route on its own: providers.<name>.rateLimit and burstLimit, else the stage's", () => {
    const { template: routes } = synth();
    const [stage] = Object.values(routes.findResources("AWS::ApiGatewayV2::Stage"));
    expect(stage?.Properties.RouteSettings).toEqual({
      "POST /webhooks/stripe": { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 80 },
      "POST /webhooks/github": { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
      "POST /webhooks/shopify": { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
    });
    // A route's settings can only be written once the route exists.
    const routeIds = Object.keys(routes.findResources("AWS::ApiGatewayV2::Route")).sort();
    expect([...(stage?.DependsOn ?? [])].sort()).toEqual(expect.arrayContaining(routeIds));
    expect(routeIds).toHaveLength(3);
  });

  test("keeps the rate limits out of the Lambdas' configuration (their parser would refuse them)", () => {
    const { custom, gateway, template: routes } = synth();
    const id = custom.getLogicalId(gateway.intakeFunction.node.defaultChild as never);
    const variables = routes.toJSON().Resources[id].Properties.Environment.Variables;
    const providers = joinedJson(variables[ENV.config]).providers as Record<string, object>;
    for (const provider of Object.values(providers)) {
      expect(Object.keys(provider)).not.toContain("rateLimit");
      expect(Object.keys(provider)).not.toContain("burstLimit");
    }
  });

  test("derives the intake's default reserved concurrency from the sum of the routes' rate limits", () => {
    const { custom, gateway, template: routes } = synth();
    const id = custom.getLogicalId(gateway.intakeFunction.node.defaultChild as never);
    expect(routes.toJSON().Resources[id].Properties.ReservedConcurrentExecutions).toBe(50 + 5 + 100);
  });

  test.each<[string, object, string]>([
    ["a rate limit of zero", { rateLimit: 0 }, "providers.stripe.rateLimit: expected a positive number"],
    [
      "a fractional burst limit",
      { rateLimit: 5, burstLimit: 2.5 },
      "providers.stripe.burstLimit: expected a whole number",
    ],
  ])("rejects %s, naming the field", (_label, limits, message) => {
    const custom = new Stack(testApp(), "BadLimits");
    const bad = {
      ...config,
      providers: { stripe: { scheme: "stripe" as const, secrets: [{ create: "s" }], ...limits } },
    };
    expect(() => new WebhookGateway(custom, "Gateway", { config: bad })).toThrow(message);
  });

  test("serves a custom domain: a regional domain name mapped to the stage, the execute-api endpoint disabled", () => {
    const certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd-12ab-34cd-56ef-1234567890ab";
    const { custom, gateway, template: domain } = synth({ domainName: "hooks.acme.test", certificateArn });
    domain.hasResourceProperties("AWS::ApiGatewayV2::DomainName", {
      DomainName: "hooks.acme.test",
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: certificateArn, EndpointType: "REGIONAL", SecurityPolicy: "TLS_1_2" }),
      ],
    });
    domain.hasResourceProperties("AWS::ApiGatewayV2::ApiMapping", {
      ApiId: custom.resolve(gateway.api?.apiId),
      Stage: custom.resolve(gateway.stage?.stageName),
    });
    domain.hasResourceProperties("AWS::ApiGatewayV2::Api", { DisableExecuteApiEndpoint: true });
    expect(gateway.intakeUrl).toBe("https://hooks.acme.test/webhooks/");
  });

  test("keeps the execute-api endpoint when asked, e.g. while providers move to the domain", () => {
    const certificateArn = "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd";
    const { template: domain } = synth({
      domainName: "hooks.acme.test",
      certificateArn,
      disableExecuteApiEndpoint: false,
    });
    domain.hasResourceProperties("AWS::ApiGatewayV2::Api", { DisableExecuteApiEndpoint: false });
  });

  test.each<[string, Partial<WebhookGatewayProps>, string]>([
    ["a domain without a certificate", { domainName: "hooks.acme.test" }, "certificateArn: required with domainName"],
    [
      "a certificate without a domain",
      { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1" },
      "domainName: required with certificateArn",
    ],
    [
      "a malformed certificate ARN",
      { domainName: "hooks.acme.test", certificateArn: "cert" },
      "certificateArn: expected an ACM certificate ARN",
    ],
    [
      "a malformed domain name",
      { domainName: "https://hooks.acme.test", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1" },
      "domainName: expected a host name",
    ],
    [
      "disabling the only endpoint",
      { disableExecuteApiEndpoint: true },
      "disableExecuteApiEndpoint: without domainName",
    ],
  ])("rejects %s, naming the prop", (_label, props, message) => {
    expect(() => synth(props)).toThrow(message);
  });
});
