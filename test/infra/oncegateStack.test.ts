import { beforeAll, describe, expect, test } from "@jest/globals";
import { Template } from "aws-cdk-lib/assertions";
import { oncegateSettings } from "../../infra/oncegate.config.ts";
import type { OncegateStack } from "../../infra/oncegateStack.ts";
import { DEMO_CONSUMER_ENV } from "../../lambdas/demo-consumer/environment.ts";
import { grants, grantsOf, logWriteGrants, sortGrants } from "./support/grants.ts";
import { joinedJson } from "./support/joinedJson.ts";
import { oncegateStack } from "./support/testApp.ts";

let stack: OncegateStack;
let template: Template;
beforeAll(() => {
  stack = oncegateStack();
  template = Template.fromStack(stack);
});

function demo() {
  if (stack.demoConsumer === undefined) throw new Error("the checked-in settings deploy the demo consumer");
  return stack.demoConsumer;
}

describe("OncegateStack outputs", () => {
  test("outputs the intake URL, table names, queue URLs, dashboard, alarm topic and created secrets", () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      [
        "AlarmTopicArn",
        "DashboardName",
        "DeadLetterQueueArn",
        "DeadLetterQueueUrl",
        "DeliveryQueueUrl",
        "DemoConsumerLogGroup",
        "DemoConsumerUrl",
        "DemoIdempotencyTableName",
        "EventsTableName",
        "IntakeUrl",
        "SecretDemoProviderArn",
      ].sort(),
    );
    const outputs = template.toJSON().Outputs;
    expect(outputs.IntakeUrl.Value).toEqual(stack.resolve(stack.gateway.intakeUrl));
    expect(outputs.EventsTableName.Value).toEqual(stack.resolve(stack.gateway.eventsTable.tableName));
    expect(outputs.DeliveryQueueUrl.Value).toEqual(stack.resolve(stack.gateway.deliveryQueue.queueUrl));
    expect(outputs.DashboardName.Value).toEqual(stack.resolve(stack.gateway.dashboard.dashboardName));
    expect(outputs.DemoIdempotencyTableName.Value).toEqual(stack.resolve(demo().idempotencyTable.tableName));
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
    expect(() => oncegateStack({ ...oncegateSettings, demoConsumer: false })).toThrow(
      "destinations: expected a non-empty array",
    );
    const own = oncegateStack({
      ...oncegateSettings,
      demoConsumer: false,
      config: {
        ...oncegateSettings.config,
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
    const withEmail = Template.fromStack(oncegateStack({ ...oncegateSettings, alarmEmail: "oncall@example.com" }));
    withEmail.hasResourceProperties("AWS::SNS::Subscription", { Protocol: "email", Endpoint: "oncall@example.com" });
    template.resourceCountIs("AWS::SNS::Subscription", 0);
  });
});
