import { beforeAll, describe, expect, test } from "@jest/globals";
import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { WebhookGateway, type WebhookGatewayProps } from "../../infra/constructs/webhookGateway.ts";
import type { GatewayDeploymentConfig } from "../../infra/gatewayDeploymentConfig.ts";
import { maxReceiveCountFor } from "../../lambdas/delivery/receiveLimit.ts";
import { maxAttempts } from "../../lambdas/delivery/retrySchedule.ts";
import { eventsTableDefinition } from "../../lambdas/shared/eventsTable.ts";
import { GATEWAY_CONFIG_DEFAULTS } from "../../lambdas/shared/parseGatewayConfig.ts";
import { testApp } from "./support/testApp.ts";

const CONFIG: GatewayDeploymentConfig = {
  providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
  destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
};

function synth(props: Partial<WebhookGatewayProps> = {}) {
  const stack = new Stack(testApp(), "Storage");
  const gateway = new WebhookGateway(stack, "Gateway", { config: CONFIG, ...props });
  return { stack, gateway, template: Template.fromStack(stack) };
}

let defaults: ReturnType<typeof synth>;
beforeAll(() => {
  defaults = synth();
});

function tableProperties(template: Template) {
  const [table] = Object.values(template.findResources("AWS::DynamoDB::Table"));
  return table;
}

describe("WebhookGateway events table", () => {
  test("is on demand, with TTL on expiresAt, point-in-time recovery and KMS encryption at rest", () => {
    defaults.template.hasResourceProperties("AWS::DynamoDB::Table", {
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSE enabled without a key of ours: KMS with the AWS managed key (aws/dynamodb).
      SSESpecification: Match.exact({ SSEEnabled: true }),
    });
  });

  test("has exactly the keys (pk + sk) and the two sharded keys-only indexes of eventsTableDefinition", () => {
    const reference = eventsTableDefinition("reference");
    const table = tableProperties(defaults.template)?.Properties;
    expect(table.KeySchema).toEqual(reference.KeySchema);
    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName));
    expect([...table.AttributeDefinitions].sort(byName)).toEqual(
      [...(reference.AttributeDefinitions ?? [])].sort(byName),
    );
    expect(table.GlobalSecondaryIndexes).toEqual(reference.GlobalSecondaryIndexes);
    expect(table.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    expect(table.GlobalSecondaryIndexes.map((index: { IndexName: string }) => index.IndexName)).toEqual([
      "events-by-time",
      "problems-by-time",
    ]);
  });

  test("is retained when the stack is deleted, by default", () => {
    expect(tableProperties(defaults.template)).toMatchObject({
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
    });
  });

  test("is deleted with the stack when removalPolicy is DESTROY", () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY });
    expect(tableProperties(template)).toMatchObject({ DeletionPolicy: "Delete" });
  });
});

describe("WebhookGateway delivery queue and dead-letter queue (of the one destination, orders)", () => {
  const queueProps = (template: Template, stack: Stack, queue: unknown) => {
    const id = stack.resolve((queue as { queueArn: string }).queueArn)["Fn::GetAtt"][0];
    return template.toJSON().Resources[id].Properties;
  };
  const jobs = (gateway: WebhookGateway) => gateway.deliveryQueues.get("orders");
  const deadLetters = (gateway: WebhookGateway) => gateway.deadLetterQueues.get("orders");

  test("encrypts both queues with SQS-managed keys and refuses requests without TLS", () => {
    const { template, stack, gateway } = defaults;
    for (const queue of [jobs(gateway), deadLetters(gateway)]) {
      expect(queueProps(template, stack, queue).SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [stack.resolve(queue?.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Deny",
              Action: "sqs:*",
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            }),
          ]),
        },
      });
    }
  });

  test("retains both queues by default when the stack is deleted or a queue replaced: pending and dead jobs stay", () => {
    for (const queue of Object.values(defaults.template.findResources("AWS::SQS::Queue"))) {
      expect(queue).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    }
  });

  test("deletes both queues with the stack when removalPolicy is DESTROY", () => {
    const { template } = synth({ removalPolicy: RemovalPolicy.DESTROY });
    const queues = Object.values(template.findResources("AWS::SQS::Queue"));
    expect(queues).toHaveLength(2);
    for (const queue of queues) expect(queue).toMatchObject({ DeletionPolicy: "Delete" });
  });

  test("sets maxReceiveCount as a generous backstop, not the attempt count (166 for the default 8 attempts)", () => {
    const { template, stack, gateway } = defaults;
    expect(maxAttempts(GATEWAY_CONFIG_DEFAULTS.retryScheduleSeconds)).toBe(8);
    expect(queueProps(template, stack, jobs(gateway)).RedrivePolicy).toEqual({
      deadLetterTargetArn: stack.resolve(deadLetters(gateway)?.queueArn),
      maxReceiveCount: maxReceiveCountFor(GATEWAY_CONFIG_DEFAULTS.retryScheduleSeconds),
    });
    expect(maxReceiveCountFor(GATEWAY_CONFIG_DEFAULTS.retryScheduleSeconds)).toBe(166);
  });

  test("follows a configured retry schedule: the backstop grows with its number of attempts", () => {
    const { template, stack, gateway } = synth({ config: { ...CONFIG, retryScheduleSeconds: [1, 2, 3] } });
    expect(queueProps(template, stack, jobs(gateway)).RedrivePolicy.maxReceiveCount).toBe(
      maxReceiveCountFor([1, 2, 3]),
    );
  });

  test("lets only the destination's job queue use its dead-letter queue as its dead-letter queue (RedriveAllowPolicy)", () => {
    const { template, stack, gateway } = defaults;
    expect(queueProps(template, stack, deadLetters(gateway)).RedriveAllowPolicy).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [
        {
          "Fn::Join": [
            "",
            [
              "arn:",
              { Ref: "AWS::Partition" },
              ":sqs:",
              { Ref: "AWS::Region" },
              ":",
              { Ref: "AWS::AccountId" },
              ":oga69c4dec-orders",
            ],
          ],
        },
      ],
    });
    expect(queueProps(template, stack, jobs(gateway)).QueueName).toBe("oga69c4dec-orders");
  });

  test("keeps dead jobs 14 days, and jobs 14 days (longer than the whole retry schedule)", () => {
    const { template, stack, gateway } = defaults;
    expect(queueProps(template, stack, deadLetters(gateway)).MessageRetentionPeriod).toBe(14 * 86_400);
    expect(queueProps(template, stack, jobs(gateway)).MessageRetentionPeriod).toBe(14 * 86_400);
  });

  test("sets the visibility timeout to six times the delivery timeout (30 s by default)", () => {
    const { template, stack, gateway } = defaults;
    template.hasResourceProperties("AWS::Lambda::Function", {
      Description: Match.stringLikeRegexp("^Oncegate delivery"),
      Timeout: 30,
    });
    expect(queueProps(template, stack, jobs(gateway)).VisibilityTimeout).toBe(180);
  });

  test("adds the batching window to six times a configured delivery timeout", () => {
    const { template, stack, gateway } = synth({
      deliveryTimeout: Duration.seconds(40),
      deliveryBatchingWindow: Duration.seconds(5),
    });
    expect(queueProps(template, stack, jobs(gateway)).VisibilityTimeout).toBe(6 * 40 + 5);
  });
});
