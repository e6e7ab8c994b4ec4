import { beforeAll, describe, expect, test } from "@jest/globals";
import { Stack as CdkStack, Duration, type Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import type { IRole } from "aws-cdk-lib/aws-iam";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { BUNDLE_REPORT_CONTEXT, handlerBundling } from "../../infra/constructs/bundling.ts";
import { WebhookGateway, type WebhookGatewayProps } from "../../infra/constructs/webhookGateway.ts";
import { oncegateSettings } from "../../infra/oncegate.config.ts";
import type { OncegateStack } from "../../infra/oncegateStack.ts";
import { ENV } from "../../lambdas/shared/environment.ts";
import { grantsOf } from "./support/grants.ts";
import { joinedJson } from "./support/joinedJson.ts";
import { oncegateStack, testApp } from "./support/testApp.ts";

let stack: OncegateStack;
let template: Template;
beforeAll(() => {
  stack = oncegateStack();
  template = Template.fromStack(stack);
});

function functionResource(fn: NodejsFunction) {
  const id = stack.getLogicalId(fn.node.defaultChild as never);
  return template.toJSON().Resources[id];
}
const ref = (s: Stack, token: string) => s.resolve(token);
const gatewayFunctions = () => ({
  intake: stack.gateway.intakeFunction,
  delivery: stack.gateway.deliveryFunction,
  sweeper: stack.gateway.sweeperFunction,
});

describe("WebhookGateway functions", () => {
  test.each(["intake", "delivery", "sweeper"] as const)(
    "runs the %s on Node.js 24, ARM64, JSON logs in its own log group kept a month",
    (name) => {
      const fn = gatewayFunctions()[name];
      const { Properties } = functionResource(fn);
      expect(Properties).toMatchObject({ Runtime: "nodejs24.x", Architectures: ["arm64"], Handler: "index.handler" });
      expect(Properties.LoggingConfig.LogFormat).toBe("JSON");
      // Debug lines (one per duplicate request) are dropped by Lambda, not ingested.
      expect(Properties.LoggingConfig.ApplicationLogLevel).toBe("INFO");
      // Lambda's platform.start and platform.report lines of every invocation are dropped; its warnings are not.
      expect(Properties.LoggingConfig.SystemLogLevel).toBe("WARN");
      const logGroupId = Properties.LoggingConfig.LogGroup.Ref;
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({
        Type: "AWS::Logs::LogGroup",
        Properties: { RetentionInDays: 30 },
        DeletionPolicy: "Retain",
      });
    },
  );

  test.each(["intake", "delivery", "sweeper"] as const)(
    "gives the %s the table, the job queues' URL template and the configuration through ENV's names",
    (name) => {
      const variables = functionResource(gatewayFunctions()[name]).Properties.Environment.Variables;
      expect(variables[ENV.eventsTable]).toEqual(ref(stack, stack.gateway.eventsTable.tableName));
      expect(variables[ENV.deliveryQueueUrl]).toEqual(ref(stack, stack.gateway.deliveryQueueUrlTemplate));
      expect(variables.NODE_OPTIONS).toBe("--enable-source-maps");
      expect(joinedJson(variables[ENV.config])).toHaveProperty("providers.demo.scheme", "standard");
    },
  );

  test("gives the dead-letter queues' URL template to the sweeper only", () => {
    const variables = (name: keyof ReturnType<typeof gatewayFunctions>) =>
      functionResource(gatewayFunctions()[name]).Properties.Environment.Variables;
    expect(variables("sweeper")[ENV.deadLetterQueueUrl]).toEqual(ref(stack, stack.gateway.deadLetterQueueUrlTemplate));
    expect(variables("intake")).not.toHaveProperty(ENV.deadLetterQueueUrl);
    expect(variables("delivery")).not.toHaveProperty(ENV.deadLetterQueueUrl);
  });

  test("passes secrets to the Lambdas by ARN only: created secrets by Ref, never a value", () => {
    const variables = functionResource(stack.gateway.intakeFunction).Properties.Environment.Variables;
    const config = joinedJson(variables[ENV.config]);
    const providerSecret = stack.resolve(stack.gateway.createdSecrets.get("demo-provider")?.secretArn).Ref;
    const signingSecret = stack.resolve(stack.demoConsumer?.signingSecret.secretArn).Ref;
    expect(config).toEqual({
      providers: { demo: { scheme: "standard", secrets: [{ secretArn: `<Ref ${providerSecret}>` }] } },
      destinations: [
        {
          id: "demo",
          url: `<${stack.resolve(stack.demoConsumer?.url)["Fn::GetAtt"].join(".")}>`,
          signingSecrets: [{ secretArn: `<Ref ${signingSecret}>` }],
        },
      ],
    });
  });

  test("sizes each function for its work: timeouts and memory", () => {
    const sizes = Object.fromEntries(
      Object.entries(gatewayFunctions()).map(([name, fn]) => {
        const { Timeout, MemorySize } = functionResource(fn).Properties;
        return [name, { Timeout, MemorySize }];
      }),
    );
    expect(sizes).toEqual({
      intake: { Timeout: 10, MemorySize: 512 },
      delivery: { Timeout: 30, MemorySize: 512 },
      sweeper: { Timeout: 50, MemorySize: 256 },
    });
  });

  test("bundles with esbuild locally into one minified ES module with a source map, the AWS SDK inside", () => {
    const options = handlerBundling(stack);
    expect(options).toMatchObject({
      format: OutputFormat.ESM,
      target: "node24",
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      bundleAwsSDK: true,
      metafile: false,
    });
    expect(options.forceDockerBundling).toBeUndefined();
    expect(options.externalModules).toBeUndefined();
  });

  test("writes esbuild's metafile only when the bundle report is asked for", () => {
    const reporting = new CdkStack(testApp({ [BUNDLE_REPORT_CONTEXT]: "true" }), "Report");
    expect(handlerBundling(reporting).metafile).toBe(true);
  });
});

describe("WebhookGateway delivery event source and sweeper schedule", () => {
  test("feeds the delivery from the destination's queue in batches of 10, reporting item failures, at most 5 at once", () => {
    template.resourceCountIs("AWS::Lambda::EventSourceMapping", 1);
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: ref(stack, stack.gateway.deliveryQueues.get("demo")?.queueArn ?? ""),
      FunctionName: ref(stack, stack.gateway.deliveryFunction.functionName),
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      ScalingConfig: { MaximumConcurrency: 5 },
      MaximumBatchingWindowInSeconds: Match.absent(),
    });
  });

  test("takes the batch size, batching window and concurrency from the props", () => {
    const custom = new CdkStack(testApp(), "EventSource");
    new WebhookGateway(custom, "Gateway", {
      config: {
        providers: { github: { scheme: "github", secrets: [{ create: "github" }] } },
        destinations: [{ id: "ci", url: "https://ci.example.com/hooks", signingSecrets: [{ create: "ci" }] }],
      },
      deliveryBatchSize: 25,
      deliveryBatchingWindow: Duration.seconds(2),
      deliveryMaxConcurrency: 50,
    });
    Template.fromStack(custom).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      BatchSize: 25,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 50 },
    });
  });

  test("drops a sweep that could not start within a minute, at EventBridge and in Lambda's async queue: runs never pile up", () => {
    // A throttled asynchronous invocation is otherwise retried for up to 6 hours, overlapping later runs.
    template.hasResourceProperties("AWS::Events::Rule", {
      Targets: [
        Match.objectLike({
          Arn: ref(stack, stack.gateway.sweeperFunction.functionArn),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        }),
      ],
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: ref(stack, stack.gateway.sweeperFunction.functionName),
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
  });

  test("runs the sweeper every minute from EventBridge, without retrying a failed run", () => {
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      State: "ENABLED",
      Targets: [
        Match.objectLike({
          Arn: ref(stack, stack.gateway.sweeperFunction.functionArn),
          RetryPolicy: { MaximumRetryAttempts: 0 },
        }),
      ],
    });
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: ref(stack, stack.gateway.sweeperFunction.functionName),
      MaximumRetryAttempts: 0,
    });
  });
});

describe("WebhookGateway intake reserved concurrency", () => {
  const config = {
    providers: { stripe: { scheme: "stripe" as const, secrets: [{ create: "stripe" }] } },
    destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
  };
  const intakeOf = (props: Partial<WebhookGatewayProps>) => {
    const custom = new CdkStack(testApp(), "Concurrency");
    const gateway = new WebhookGateway(custom, "Gateway", { config, ...props });
    const id = custom.getLogicalId(gateway.intakeFunction.node.defaultChild as never);
    return Template.fromStack(custom).toJSON().Resources[id].Properties;
  };

  test("reserves peak rate × p99 latency by default: 100 requests/s (the API's rate limit) × 1 s = 100", () => {
    expect(functionResource(stack.gateway.intakeFunction).Properties.ReservedConcurrentExecutions).toBe(100);
    expect(functionResource(stack.gateway.deliveryFunction).Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  test("derives it from a configured peak rate and p99 latency, rounding up", () => {
    const props = { intakePeakRequestsPerSecond: 40, intakeP99Latency: Duration.millis(1_510) };
    expect(intakeOf(props).ReservedConcurrentExecutions).toBe(61);
  });

  test("takes an explicit reservation as given", () => {
    expect(intakeOf({ intakeReservedConcurrency: 25 }).ReservedConcurrentExecutions).toBe(25);
  });

  test.each<[string, Partial<WebhookGatewayProps>, string]>([
    ["a peak rate of zero", { intakePeakRequestsPerSecond: 0 }, "intakePeakRequestsPerSecond: expected a positive"],
    [
      "a p99 latency longer than the intake's timeout",
      { intakeP99Latency: Duration.seconds(11) },
      "intakeP99Latency: 11 seconds is longer than the intake's timeout",
    ],
    ["a fractional reservation", { intakeReservedConcurrency: 2.5 }, "intakeReservedConcurrency: expected a whole"],
    ["a reservation of zero (it would stop the intake)", { intakeReservedConcurrency: 0 }, "intakeReservedConcurrency"],
  ])("rejects %s, naming the prop", (_label, props, message) => {
    expect(() => intakeOf(props)).toThrow(message);
  });
});

describe("WebhookGateway platformLogs", () => {
  test("brings back Lambda's per-invocation lines (system log level INFO) for the three functions", () => {
    const custom = new CdkStack(testApp(), "PlatformLogs");
    const gateway = new WebhookGateway(custom, "Gateway", {
      config: {
        providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
        destinations: [
          { id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] },
        ],
      },
      platformLogs: true,
    });
    const resources = Template.fromStack(custom).toJSON().Resources;
    for (const fn of [gateway.intakeFunction, gateway.deliveryFunction, gateway.sweeperFunction]) {
      const id = custom.getLogicalId(fn.node.defaultChild as never);
      expect(resources[id].Properties.LoggingConfig.SystemLogLevel).toBe("INFO");
    }
  });
});

describe("WebhookGateway X-Ray tracing", () => {
  const traced = () => {
    const custom = new CdkStack(testApp(), "Traced");
    const gateway = new WebhookGateway(custom, "Gateway", {
      config: {
        providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
        destinations: [
          { id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] },
        ],
      },
      tracing: true,
    });
    return { custom, gateway, template: Template.fromStack(custom) };
  };

  test("is off by default", () => {
    for (const fn of Object.values(gatewayFunctions())) {
      expect(functionResource(fn).Properties.TracingConfig).toBeUndefined();
    }
  });

  test("is on in the example configuration", () => {
    expect(oncegateSettings.tracing).toBe(true);
  });

  test("traces the three functions actively when asked, the only wildcard grant being X-Ray's own", () => {
    const { custom, gateway, template: tracedTemplate } = traced();
    const functions = [gateway.intakeFunction, gateway.deliveryFunction, gateway.sweeperFunction];
    for (const fn of functions) {
      const id = custom.getLogicalId(fn.node.defaultChild as never);
      expect(tracedTemplate.toJSON().Resources[id].Properties.TracingConfig).toEqual({ Mode: "Active" });
      const wildcards = grantsOf(tracedTemplate, custom, fn.role as IRole).filter((grant) => grant.resource === "*");
      // X-Ray's PutTraceSegments and PutTelemetryRecords have no resource-level permissions.
      expect(wildcards.map((grant) => grant.action).sort()).toEqual([
        "xray:PutTelemetryRecords",
        "xray:PutTraceSegments",
      ]);
    }
  });
});
