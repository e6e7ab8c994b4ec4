import { beforeAll, describe, expect, test } from "@jest/globals";
import { Template } from "aws-cdk-lib/assertions";
import { demoSettings } from "../../infra/demo.config.ts";
import type { OncegateSettings, OncegateStack } from "../../infra/oncegateStack.ts";
import { oncegateStack } from "./support/testApp.ts";

const FUNCTION_URL: OncegateSettings = { ...demoSettings, intakeEdge: "functionUrl" };

let stack: OncegateStack;
let template: Template;
beforeAll(() => {
  stack = oncegateStack(FUNCTION_URL);
  template = Template.fromStack(stack);
});

interface AlarmProperties {
  MetricName?: string;
  Namespace?: string;
  Metrics?: { Id: string; MetricStat?: { Metric: { MetricName: string; Namespace: string } } }[];
}

function alarm(id: string): AlarmProperties {
  const found = stack.gateway.alarms.find((candidate) => candidate.node.id === id);
  if (found === undefined) throw new Error(`no alarm ${id}`);
  const [resource] = Object.entries(template.findResources("AWS::CloudWatch::Alarm")).filter(
    ([logicalId]) => logicalId === stack.getLogicalId(found.node.defaultChild as never),
  );
  return resource?.[1].Properties as AlarmProperties;
}

describe("WebhookGateway with intakeEdge: functionUrl", () => {
  test("puts the intake behind a public function URL and creates no HTTP API", () => {
    template.resourceCountIs("AWS::ApiGatewayV2::Api", 0);
    template.resourceCountIs("AWS::ApiGatewayV2::Stage", 0);
    // The demo consumer has a URL of its own: the intake's is the one targeting the intake function.
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "NONE",
      InvokeMode: "BUFFERED",
      TargetFunctionArn: stack.resolve(stack.gateway.intakeFunction.functionArn),
    });
    expect(stack.gateway.api).toBeUndefined();
    expect(stack.gateway.intakeFunctionUrl).toBeDefined();
    expect(stack.resolve(stack.gateway.intakeUrl)).toEqual({
      "Fn::Join": ["", [stack.resolve(stack.gateway.intakeFunctionUrl?.url), "webhooks/"]],
    });
  });

  test("grants both actions function URLs need since October 2025, InvokeFunction only through the URL", () => {
    const intakeArn = stack.resolve(stack.gateway.intakeFunction.functionArn);
    const permissions = Object.values(template.findResources("AWS::Lambda::Permission"))
      .map((permission) => permission.Properties)
      .filter((properties) => JSON.stringify(properties.FunctionName) === JSON.stringify(intakeArn));
    expect(
      permissions.map((p) => [p.Action, p.Principal, p.FunctionUrlAuthType, p.InvokedViaFunctionUrl]).sort(),
    ).toEqual([
      ["lambda:InvokeFunction", "*", undefined, true],
      ["lambda:InvokeFunctionUrl", "*", "NONE", undefined],
    ]);
  });

  test("alarms on the URL's own 5xx rate and on the intake's throttles instead of the API's", () => {
    const rate = alarm("IntakeServerErrorRate");
    const used = (rate.Metrics ?? []).flatMap((metric) =>
      metric.MetricStat === undefined
        ? []
        : [`${metric.MetricStat.Metric.Namespace}:${metric.MetricStat.Metric.MetricName}`],
    );
    expect(used.sort()).toEqual(["AWS/Lambda:Url5xxCount", "AWS/Lambda:UrlRequestCount"]);
    expect(alarm("IntakeThrottled")).toMatchObject({ Namespace: "AWS/Lambda", MetricName: "Throttles" });
  });

  test("refuses settings only the HTTP API can honour, naming each", () => {
    const refused: [Partial<OncegateSettings>, RegExp][] = [
      [{ throttle: { rateLimit: 10, burstLimit: 20 } }, /^throttle: only the HTTP API edge/],
      [
        { domainName: "hooks.acme.test", certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" },
        /^domainName: only the HTTP API edge/,
      ],
      [{ disableExecuteApiEndpoint: true }, /^disableExecuteApiEndpoint: only the HTTP API edge/],
      [
        {
          config: {
            ...demoSettings.config,
            providers: { demo: { scheme: "standard", secrets: [{ create: "demo-provider" }], rateLimit: 5 } },
          },
        },
        /^config\.providers\.demo\.rateLimit: a function URL has no per-route throttle/,
      ],
    ];
    for (const [settings, message] of refused) {
      expect(() => oncegateStack({ ...FUNCTION_URL, ...settings })).toThrow(message);
    }
    expect(() => oncegateStack({ ...demoSettings, intakeEdge: "cloudfront" as never })).toThrow(
      /^intakeEdge: expected "httpApi" or "functionUrl"/,
    );
  });
});
