import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "@jest/globals";
import { ArnFormat, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { settingsForContext } from "../../infra/appSettings.ts";
import { GATEWAY_ACTIONS, listingIndexArns } from "../../infra/constructs/gateway/gatewayPermissions.ts";
import { IDEMPOTENCY_RELEASE_ACTIONS } from "../../infra/constructs/idempotencyTable.ts";
import { demoSettings } from "../../infra/demo.config.ts";
import { oncegateSettings } from "../../infra/oncegate.config.ts";
import type { OncegateSettings, OncegateStack } from "../../infra/oncegateStack.ts";
import { DEMO_CONSUMER_ENV } from "../../lambdas/demo-consumer/environment.ts";
import { InvalidConfigurationError } from "../../lambdas/shared/errors.ts";
import { grants, grantsOf, logWriteGrants, sortGrants } from "./support/grants.ts";
import { joinedJson } from "./support/joinedJson.ts";
import { oncegateStack, testApp } from "./support/testApp.ts";

const ROUTING_EXAMPLE = fileURLToPath(new URL("../../infra/examples/routing.gateway.json", import.meta.url));

let stack: OncegateStack;
let template: Template;
beforeAll(() => {
  stack = oncegateStack();
  template = Template.fromStack(stack);
});

const anyQueueArn = (name: string) =>
  stack.formatArn({ service: "sqs", resource: name, arnFormat: ArnFormat.NO_RESOURCE_NAME });

function demo() {
  if (stack.demoConsumer === undefined) throw new Error("the checked-in settings deploy the demo consumer");
  return stack.demoConsumer;
}

describe("OncegateStack outputs", () => {
  test("outputs the intake URL, region, function names, table names, queue URL templates, event sources, dashboard, alarm topic and created secrets", () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      [
        "AlarmTopicArn",
        "DashboardName",
        "DeadLetterQueueArn",
        "DeadLetterQueueUrl",
        "DeliveryEventSources",
        "DeliveryFunctionName",
        "DeliveryQueueUrl",
        "DemoConsumerLogGroup",
        "DemoConsumerUrl",
        "DemoIdempotencyTableName",
        "DestinationIds",
        "EventsTableName",
        "IntakeFunctionName",
        "IntakeUrl",
        "OperatorPolicyArn",
        "PeakEventsPerSecond",
        "Region",
        "RetryScheduleSeconds",
        "SecretDemoProviderArn",
        "SweeperFunctionName",
      ].sort(),
    );
    const outputs = template.toJSON().Outputs;
    expect(outputs.IntakeUrl.Value).toEqual(stack.resolve(stack.gateway.intakeUrl));
    expect(outputs.EventsTableName.Value).toEqual(stack.resolve(stack.gateway.eventsTable.tableName));
    expect(outputs.DeliveryQueueUrl.Value).toEqual(stack.resolve(stack.gateway.deliveryQueueUrlTemplate));
    expect(outputs.DeadLetterQueueUrl.Value).toEqual(stack.resolve(stack.gateway.deadLetterQueueUrlTemplate));
    expect(outputs.DeadLetterQueueArn.Value).toEqual({
      "Fn::Join": [
        "",
        [
          "arn:",
          { Ref: "AWS::Partition" },
          ":sqs:",
          { Ref: "AWS::Region" },
          ":",
          { Ref: "AWS::AccountId" },
          ":ogd23cb48f-{destination}-dlq",
        ],
      ],
    });
    for (const name of ["DeliveryQueueUrl", "DeadLetterQueueUrl", "DeadLetterQueueArn"]) {
      expect(outputs[name].Description).toContain("{destination} is a destination id");
    }
    expect(outputs.DeliveryEventSources.Value).toEqual({
      "Fn::Join": ["", ["demo=", stack.resolve(stack.gateway.eventSources.get("demo")?.eventSourceMappingId)]],
    });
    expect(outputs.DeliveryEventSources.Description).toContain("destinations pause and resume");
    expect(outputs.DashboardName.Value).toEqual(stack.resolve(stack.gateway.dashboard.dashboardName));
    expect(outputs.DemoIdempotencyTableName.Value).toEqual(stack.resolve(demo().idempotencyTable.tableName));
    expect(outputs.Region.Value).toEqual({ Ref: "AWS::Region" });
    expect(outputs.DestinationIds.Value).toBe("demo");
    expect(outputs.IntakeFunctionName.Value).toEqual(stack.resolve(stack.gateway.intakeFunction.functionName));
    expect(outputs.DeliveryFunctionName.Value).toEqual(stack.resolve(stack.gateway.deliveryFunction.functionName));
    expect(outputs.SweeperFunctionName.Value).toEqual(stack.resolve(stack.gateway.sweeperFunction.functionName));
    expect(outputs.OperatorPolicyArn.Value).toEqual(stack.resolve(stack.operatorPolicy.managedPolicyArn));
    expect(outputs.RetryScheduleSeconds.Value).toBe(stack.gateway.settings.retryScheduleSeconds.join(","));
  });
});

describe("OncegateStack OperatorPolicy", () => {
  test("allows exactly the operator CLI's calls: the stack's outputs, the dlq and destinations commands, releasing the demo's keys", () => {
    const policies = Object.values(template.findResources("AWS::IAM::ManagedPolicy"));
    expect(policies).toHaveLength(1);
    const statements = policies[0]?.Properties.PolicyDocument.Statement as {
      Effect: string;
      Action: string | string[];
      Resource: unknown;
    }[];
    const allowed = sortGrants(
      statements.flatMap((statement) =>
        [statement.Action]
          .flat()
          .flatMap((action) => [statement.Resource].flat().map((resource) => ({ action, resource }))),
      ),
    );
    const gateway = stack.gateway;
    expect(statements.every((statement) => statement.Effect === "Allow")).toBe(true);
    expect(allowed).toEqual(
      sortGrants([
        { action: "cloudformation:DescribeStacks", resource: { Ref: "AWS::StackId" } },
        // The lists themselves are asserted in webhookGateway.permissions.test.ts.
        ...grants(stack, GATEWAY_ACTIONS.operateDeadLetters, [anyQueueArn("ogd23cb48f-*-dlq")]),
        // Sending jobs, and every queue's depth (a destination's backlog), job queues and dead-letter queues alike.
        ...grants(stack, ["sqs:SendMessage", "sqs:GetQueueAttributes"], [anyQueueArn("ogd23cb48f-*")]),
        ...grants(
          stack,
          ["lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"],
          [...gateway.eventSources.values()].map((mapping) => mapping.eventSourceMappingArn),
        ),
        ...grants(stack, GATEWAY_ACTIONS.operateEvents, [gateway.eventsTable.tableArn]),
        ...grants(stack, GATEWAY_ACTIONS.listEvents, listingIndexArns(gateway.eventsTable)),
        ...grants(stack, ["s3:GetObject"], [gateway.bodyBucket.bucket.arnForObjects("bodies/*")]),
        ...grants(stack, IDEMPOTENCY_RELEASE_ACTIONS, [demo().idempotencyTable.table.tableArn]),
        // The console's overview: GetMetricData has no resource-level permissions.
        { action: "cloudwatch:GetMetricData", resource: "*" },
      ]),
    );
    // Attached to no one by the stack: the operators' role or group takes it.
    expect(policies[0]?.Properties.Roles).toBeUndefined();
  });
});

describe("OncegateStack custom domain", () => {
  test("outputs the domain's regional target for the DNS record, and the intake URL on the domain", () => {
    const withDomain = oncegateStack({
      ...demoSettings,
      domainName: "hooks.acme.test",
      certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/1234abcd",
    });
    const outputs = Template.fromStack(withDomain).toJSON().Outputs;
    expect(outputs.IntakeDomainTarget.Value).toEqual(
      withDomain.resolve(withDomain.gateway.intakeDomain?.regionalDomainName),
    );
    expect(outputs.IntakeUrl.Value).toBe("https://hooks.acme.test/webhooks/");
  });
});

describe("OncegateStack demo consumer", () => {
  test("serves the consumer on a Function URL without IAM auth: it verifies the gateway's signature itself", () => {
    template.hasResourceProperties("AWS::Lambda::Url", {
      AuthType: "NONE",
      TargetFunctionArn: stack.resolve(demo().lambdaFunction.functionArn),
    });
  });

  test("is a destination of every provider, signed with the secret the consumer verifies with", () => {
    const intake =
      template.toJSON().Resources[stack.getLogicalId(stack.gateway.intakeFunction.node.defaultChild as never)];
    const config = joinedJson(intake.Properties.Environment.Variables.ONCEGATE_CONFIG);
    const secretId = stack.resolve(demo().signingSecret.secretArn).Ref;
    expect(config.destinations).toEqual([
      expect.objectContaining({ id: "demo", signingSecrets: [{ secretArn: `<Ref ${secretId}>` }] }),
    ]);
    expect((config.destinations as { providers?: string[] }[])[0]?.providers).toBeUndefined();
    const consumer = template.toJSON().Resources[stack.getLogicalId(demo().lambdaFunction.node.defaultChild as never)];
    expect(consumer.Properties.Environment.Variables).toMatchObject({
      [DEMO_CONSUMER_ENV.signingSecretArn]: { Ref: secretId },
      [DEMO_CONSUMER_ENV.idempotencyTable]: stack.resolve(demo().idempotencyTable.tableName),
    });
  });

  test("may only claim its idempotency records and read its signing secret", () => {
    const fn = demo().lambdaFunction;
    const role = fn.role;
    if (role === undefined) throw new Error("no role");
    expect(grantsOf(template, stack, role)).toEqual(
      sortGrants([
        ...logWriteGrants(stack, fn),
        ...grants(
          stack,
          ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
          [demo().idempotencyTable.table.tableArn],
        ),
        ...grants(stack, ["secretsmanager:GetSecretValue"], [demo().signingSecret.secretArn]),
      ]),
    );
  });

  test("is left out when demoConsumer is off, and then the providers need destinations of their own", () => {
    // Without the demo it is a real deployment: it needs an alarm destination (see "required settings" below).
    const withoutDemo = { ...demoSettings, demoConsumer: false, alarmEmail: "oncall@acme.test" };
    expect(() => oncegateStack(withoutDemo)).toThrow("destinations: expected a non-empty array");
    const own = oncegateStack({
      ...withoutDemo,
      config: {
        ...demoSettings.config,
        destinations: [
          { id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] },
        ],
      },
    });
    const ownTemplate = Template.fromStack(own);
    ownTemplate.resourceCountIs("AWS::Lambda::Url", 0);
    ownTemplate.resourceCountIs("AWS::Lambda::Function", 3);
    expect(Object.keys(ownTemplate.toJSON().Outputs)).toContain("SecretOrdersArn");
  });
});

describe("OncegateStack alarm email", () => {
  test("subscribes alarmEmail to the alarm topic", () => {
    const withEmail = Template.fromStack(oncegateStack({ ...demoSettings, alarmEmail: "oncall@example.com" }));
    withEmail.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "oncall@example.com" });
    template.resourceCountIs("AWS::SNS::Subscription", 0);
  });
});

/** A deployment with a real provider and destination of its own, and nothing else set. */
const production: OncegateSettings = {
  config: {
    providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
    destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
  },
};

describe("OncegateStack required settings", () => {
  test("rejects a deployment that is not the demo and sends its alarms nowhere, naming the settings", () => {
    expect(() => oncegateStack(production)).toThrow(InvalidConfigurationError);
    expect(() => oncegateStack(production)).toThrow(/^alarmEmail: .*set alarmEmail .* or alarmTopicArn/);
  });

  test("accepts alarmEmail, subscribed to the topic it creates", () => {
    const withEmail = Template.fromStack(oncegateStack({ ...production, alarmEmail: "oncall@acme.test" }));
    withEmail.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "oncall@acme.test" });
    withEmail.resourceCountIs("AWS::SNS::Topic", 1);
  });

  test("accepts alarmTopicArn: every alarm notifies that existing topic, and no topic is created", () => {
    const arn = "arn:aws:sns:eu-west-1:123456789012:pager";
    const withTopic = Template.fromStack(oncegateStack({ ...production, alarmTopicArn: arn }));
    withTopic.resourceCountIs("AWS::SNS::Topic", 0);
    const alarms = Object.values(withTopic.findResources("AWS::CloudWatch::Alarm"));
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([arn]);
  });

  test.each<[string, Partial<OncegateSettings>, string]>([
    ["a malformed alarm email", { alarmEmail: "oncall" }, 'alarmEmail: expected an email address, got "oncall"'],
    ["a malformed topic ARN", { alarmTopicArn: "pager" }, "alarmTopicArn: expected an SNS topic ARN"],
    [
      "both an alarm topic ARN and an alarm topic",
      { alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:pager", alarmTopic: new Topic(new Stack(), "T") },
      "alarmTopicArn: give alarmTopicArn or alarmTopic, not both",
    ],
    ["an unknown setting", { alarmEmails: "oncall@acme.test" } as never, "alarmEmails: unknown setting"],
  ])("rejects %s, naming the setting", (_label, extra, message) => {
    expect(() => oncegateStack({ ...production, alarmEmail: "oncall@acme.test", ...extra })).toThrow(message);
  });
});

describe("OncegateStack demo consumer is opt-in", () => {
  test("is off unless asked for: the checked-in configuration deploys no Function URL", () => {
    expect(oncegateSettings.demoConsumer).not.toBe(true);
    const own = Template.fromStack(oncegateStack({ ...production, alarmEmail: "oncall@acme.test" }));
    own.resourceCountIs("AWS::Lambda::Url", 0);
  });

  test("is refused next to a real provider unless explicitly confirmed", () => {
    const mixed: OncegateSettings = {
      ...production,
      config: { ...production.config, providers: { ...production.config.providers, ...demoSettings.config.providers } },
      demoConsumer: true,
      alarmEmail: "oncall@acme.test",
    };
    expect(() => oncegateStack(mixed)).toThrow(
      /^demoConsumer: .*public Function URL.* also of stripe.*demoConsumerWithRealProviders: true/,
    );
    const confirmed = Template.fromStack(oncegateStack({ ...mixed, demoConsumerWithRealProviders: true }));
    confirmed.resourceCountIs("AWS::Lambda::Url", 1);
  });

  test("needs no alarm destination for the demo itself (its only provider is the demo's)", () => {
    expect(() => oncegateStack(demoSettings)).not.toThrow();
  });

  test("the app deploys the demo only with -c oncegate:demo=true, and refuses another value", () => {
    expect(settingsForContext(undefined)).toBe(oncegateSettings);
    expect(settingsForContext("true")).toBe(demoSettings);
    expect(settingsForContext(true)).toBe(demoSettings);
    expect(() => settingsForContext("yes")).toThrow('oncegate:demo: expected true or false, got "yes"');
  });

  test("deploys a gateway configuration file (-c oncegate:config=…): { env } secrets become created secrets", () => {
    const settings = settingsForContext(undefined, ROUTING_EXAMPLE);
    expect(settings.config.destinations[0]).toEqual({
      id: "billing",
      url: "https://billing.example.com/webhooks",
      providers: ["stripe"],
      events: ["invoice.*", "charge.succeeded"],
      signingSecrets: [{ create: "billing-signing-secret" }],
    });
    const routed = oncegateStack({ ...settings, alarmEmail: "oncall@example.com" });
    const outputs = Template.fromStack(routed).toJSON().Outputs;
    expect(outputs.DestinationIds.Value).toBe("billing,crm,ci");
    expect(
      Object.keys(outputs)
        .filter((name) => name.startsWith("Secret"))
        .sort(),
    ).toEqual([
      "SecretBillingSigningSecretArn",
      "SecretCiSigningSecretArn",
      "SecretCrmSigningSecretArn",
      "SecretGithubWebhookSecretArn",
      "SecretStripeWebhookSecretArn",
    ]);
    const intake = Template.fromStack(routed).findResources("AWS::Lambda::Function");
    const configs = Object.values(intake)
      .map((fn) => (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties)
      .flatMap((props) => (props.Environment?.Variables?.ONCEGATE_CONFIG === undefined ? [] : [props]))
      .map((props) => joinedJson(props.Environment?.Variables?.ONCEGATE_CONFIG));
    expect(configs.length).toBeGreaterThan(0);
    for (const config of configs) {
      expect(config).toHaveProperty("destinations.1.events", ["customer.*"]);
      // The route's throttle stays with the API; the Lambdas' parser would refuse it.
      expect(config).not.toHaveProperty("providers.github.rateLimit");
    }
  });

  test("refuses a configuration file with the demo, a bad path and a file that is not JSON, naming them", () => {
    expect(() => settingsForContext("true", ROUTING_EXAMPLE)).toThrow("oncegate:config: the demo has its own");
    expect(() => settingsForContext(undefined, "")).toThrow("oncegate:config: expected the path");
    expect(() => settingsForContext(undefined, "/nonexistent/gateway.json")).toThrow(
      "/nonexistent/gateway.json: cannot read the configuration file (ENOENT)",
    );
    expect(() => settingsForContext(undefined, fileURLToPath(import.meta.url))).toThrow(
      /oncegateStack\.test\.ts: not JSON: /,
    );
  });
});

describe("OncegateStack termination protection", () => {
  const cloudAssemblyStack = (settings: OncegateSettings) => {
    const app = testApp();
    oncegateStack(settings, app);
    return app.synth().getStackByName("Oncegate");
  };

  test("is on by default: cdk destroy fails until it is turned off", () => {
    expect(cloudAssemblyStack(demoSettings).terminationProtection).toBe(true);
  });

  test("can be turned off for a disposable stack", () => {
    expect(cloudAssemblyStack({ ...demoSettings, terminationProtection: false }).terminationProtection).toBe(false);
  });
});
