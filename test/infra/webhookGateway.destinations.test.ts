import { createHash } from "node:crypto";
import { beforeAll, describe, expect, test } from "@jest/globals";
import { Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { WebhookGateway, type WebhookGatewayProps } from "../../infra/constructs/webhookGateway.ts";
import type { GatewayDeploymentConfig } from "../../infra/gatewayDeploymentConfig.ts";
import { OncegateStack } from "../../infra/oncegateStack.ts";
import { validateDeploymentConfig } from "../../infra/validateDeploymentConfig.ts";
import { maxReceiveCountFor } from "../../lambdas/delivery/receiveLimit.ts";
import { ENV } from "../../lambdas/shared/environment.ts";
import { GATEWAY_CONFIG_DEFAULTS } from "../../lambdas/shared/parseGatewayConfig.ts";
import { deployedPolicySize, deployedValue } from "./support/deployedSize.ts";
import { grantsOf } from "./support/grants.ts";
import { testApp } from "./support/testApp.ts";

/** Two destinations: `orders` sets its own concurrency, `crm` takes the gateway's. */
const CONFIG: GatewayDeploymentConfig = {
  providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
  destinations: [
    {
      id: "orders",
      url: "https://orders.example.com/hooks",
      signingSecrets: [{ create: "orders" }],
      maxConcurrency: 20,
    },
    { id: "crm", url: "https://crm.example.com/hooks", signingSecrets: [{ create: "crm" }] },
  ],
};
const IDS = ["orders", "crm"];
// The stack's name is the default prefix: the base is og + 8 hex digits of its SHA-256.
const BASE = `og${createHash("sha256").update("Isolation").digest("hex").slice(0, 8)}`;

function synth(props: Partial<WebhookGatewayProps> = {}) {
  const stack = new Stack(testApp(), "Isolation");
  const gateway = new WebhookGateway(stack, "Gateway", { config: CONFIG, ...props });
  return { stack, gateway, template: Template.fromStack(stack) };
}

let stack: Stack;
let gateway: WebhookGateway;
let template: Template;
beforeAll(() => {
  ({ stack, gateway, template } = synth());
});

const get = <T>(map: ReadonlyMap<string, T>, id: string): T => {
  const value = map.get(id);
  if (value === undefined) throw new Error(`nothing for ${id}`);
  return value;
};
const queueOf = (id: string) => get(gateway.deliveryQueues, id);
const deadLettersOf = (id: string) => get(gateway.deadLetterQueues, id);
const propertiesOf = (queue: Queue) =>
  template.toJSON().Resources[stack.getLogicalId(queue.node.defaultChild as never)].Properties;
const roleOf = (fn: IFunction) => {
  if (fn.role === undefined) throw new Error("function without a role");
  return fn.role;
};
const resolved = (token: string) => JSON.stringify(stack.resolve(token));

describe("WebhookGateway isolation: a job queue, a dead-letter queue and an event source per destination", () => {
  test("names each destination's queues <base>-<id> and <base>-<id>-dlq, and no other queue", () => {
    template.resourceCountIs("AWS::SQS::Queue", 4);
    expect([...gateway.deliveryQueues.keys()]).toEqual(IDS);
    expect([...gateway.deadLetterQueues.keys()]).toEqual(IDS);
    for (const id of IDS) {
      expect(propertiesOf(queueOf(id)).QueueName).toBe(`${BASE}-${id}`);
      expect(propertiesOf(deadLettersOf(id)).QueueName).toBe(`${BASE}-${id}-dlq`);
    }
  });

  test("redrives each job queue into its own dead-letter queue, which takes no other queue's jobs", () => {
    for (const id of IDS) {
      expect(propertiesOf(queueOf(id)).RedrivePolicy).toEqual({
        deadLetterTargetArn: stack.resolve(deadLettersOf(id).queueArn),
        maxReceiveCount: maxReceiveCountFor(GATEWAY_CONFIG_DEFAULTS.retryScheduleSeconds),
      });
      expect(propertiesOf(deadLettersOf(id)).RedriveAllowPolicy).toEqual({
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
                `:${BASE}-${id}`,
              ],
            ],
          },
        ],
      });
    }
  });

  test("keeps every queue's messages 14 days, encrypted and TLS only; job queues visible again after 6 × 30 s", () => {
    for (const id of IDS) {
      for (const queue of [queueOf(id), deadLettersOf(id)]) {
        expect(propertiesOf(queue)).toMatchObject({ MessageRetentionPeriod: 14 * 86_400, SqsManagedSseEnabled: true });
        template.hasResourceProperties("AWS::SQS::QueuePolicy", {
          Queues: [stack.resolve(queue.queueUrl)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
            ]),
          },
        });
      }
      expect(propertiesOf(queueOf(id)).VisibilityTimeout).toBe(180);
    }
  });

  test("feeds the one delivery function from each queue, at each destination's maxConcurrency or the default 5", () => {
    const mappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping"));
    expect(mappings).toHaveLength(2);
    expect([...gateway.eventSources.keys()]).toEqual(IDS);
    const concurrency = { orders: 20, crm: 5 };
    for (const id of IDS) {
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        EventSourceArn: stack.resolve(queueOf(id).queueArn),
        FunctionName: stack.resolve(gateway.deliveryFunction.functionName),
        BatchSize: 10,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        ScalingConfig: { MaximumConcurrency: concurrency[id as keyof typeof concurrency] },
      });
      const mappingId = stack.resolve(get(gateway.eventSources, id).eventSourceMappingId).Ref;
      expect(template.toJSON().Resources[mappingId].Properties.EventSourceArn).toEqual(
        stack.resolve(queueOf(id).queueArn),
      );
    }
  });

  test("takes deliveryMaxConcurrency for a destination without its own maxConcurrency", () => {
    const custom = synth({ deliveryMaxConcurrency: 12 });
    const byQueue = (id: string) =>
      Object.values(custom.template.findResources("AWS::Lambda::EventSourceMapping")).find(
        (mapping) =>
          JSON.stringify(mapping.Properties.EventSourceArn) ===
          JSON.stringify(custom.stack.resolve(get(custom.gateway.deliveryQueues, id).queueArn)),
      )?.Properties.ScalingConfig;
    expect(byQueue("orders")).toEqual({ MaximumConcurrency: 20 });
    expect(byQueue("crm")).toEqual({ MaximumConcurrency: 12 });
  });

  test("gives every function the job queues' URL template, and the sweeper the dead-letter queues' as well", () => {
    const urlTemplate = (suffix: string) => ({
      "Fn::Join": [
        "",
        [
          "https://sqs.",
          { Ref: "AWS::Region" },
          ".",
          { Ref: "AWS::URLSuffix" },
          "/",
          { Ref: "AWS::AccountId" },
          `/${BASE}-{destination}${suffix}`,
        ],
      ],
    });
    expect(stack.resolve(gateway.deliveryQueueUrlTemplate)).toEqual(urlTemplate(""));
    expect(stack.resolve(gateway.deadLetterQueueUrlTemplate)).toEqual(urlTemplate("-dlq"));
    const variables = (fn: IFunction) =>
      template.toJSON().Resources[stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables;
    for (const fn of [gateway.intakeFunction, gateway.deliveryFunction, gateway.sweeperFunction]) {
      expect(variables(fn)[ENV.deliveryQueueUrl]).toEqual(urlTemplate(""));
    }
    expect(variables(gateway.sweeperFunction)[ENV.deadLetterQueueUrl]).toEqual(urlTemplate("-dlq"));
    expect(variables(gateway.intakeFunction)).not.toHaveProperty(ENV.deadLetterQueueUrl);
    expect(variables(gateway.deliveryFunction)).not.toHaveProperty(ENV.deadLetterQueueUrl);
  });

  test("keeps each role to its own queues: the intake sends to job queues, the delivery consumes them, only the sweeper reads dead-letter queues", () => {
    const jobQueues = IDS.map((id) => resolved(queueOf(id).queueArn));
    const deadLetterQueues = IDS.map((id) => resolved(deadLettersOf(id).queueArn));
    const onQueues = (fn: IFunction, queues: string[]) =>
      grantsOf(template, stack, roleOf(fn))
        .filter((grant) => queues.includes(JSON.stringify(grant.resource)))
        .map((grant) => `${grant.action} ${JSON.stringify(grant.resource)}`)
        .sort();
    const each = (actions: string[], queues: string[]) =>
      actions.flatMap((action) => queues.map((queue) => `${action} ${queue}`)).sort();
    expect(onQueues(gateway.intakeFunction, jobQueues)).toEqual(each(["sqs:SendMessage"], jobQueues));
    expect(onQueues(gateway.intakeFunction, deadLetterQueues)).toEqual([]);
    expect(onQueues(gateway.deliveryFunction, jobQueues)).toEqual(
      each(
        ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"],
        jobQueues,
      ),
    );
    expect(onQueues(gateway.deliveryFunction, deadLetterQueues)).toEqual([]);
    expect(onQueues(gateway.sweeperFunction, jobQueues)).toEqual(each(["sqs:SendMessage"], jobQueues));
    expect(onQueues(gateway.sweeperFunction, deadLetterQueues)).toEqual(
      each(["sqs:GetQueueAttributes", "sqs:ReceiveMessage", "sqs:ChangeMessageVisibility"], deadLetterQueues),
    );
  });
});

describe("WebhookGateway alarms per destination", () => {
  type Alarm = {
    MetricName?: string;
    Namespace?: string;
    Dimensions?: { Name: string; Value: unknown }[];
    Metrics?: { Expression?: string; MetricStat?: { Metric: { Dimensions?: unknown[] } } }[];
    Threshold: number;
  };
  const alarmIds = () => gateway.alarms.map((alarm) => alarm.node.id);
  const propertiesOfAlarm = (id: string): Alarm => {
    const alarm = gateway.alarms.find((found) => found.node.id === id);
    if (alarm === undefined) throw new Error(`no alarm ${id}`);
    return template.toJSON().Resources[stack.getLogicalId(alarm.node.defaultChild as never)].Properties;
  };
  const queueNameDimension = (queue: Queue) => ({ Name: "QueueName", Value: stack.resolve(queue.queueName) });

  test.each([
    ["orders", "Orders"],
    ["crm", "Crm"],
  ])("watches %s's retries, oldest job, dead-letter queue and circuit", (id, suffix) => {
    for (const kind of ["Retries", "OldestJob", "DeadLetters", "CircuitOpen"]) {
      expect(alarmIds()).toContain(`Destination${kind}${suffix}`);
    }
    expect(propertiesOfAlarm(`DestinationOldestJob${suffix}`)).toMatchObject({
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: [queueNameDimension(queueOf(id))],
      Threshold: 900,
    });
    const deadLetters = propertiesOfAlarm(`DestinationDeadLetters${suffix}`);
    expect(deadLetters.Threshold).toBe(1);
    expect(deadLetters.Metrics?.find((metric) => metric.Expression !== undefined)?.Expression).toBe(
      "visible + inFlight",
    );
    for (const metric of (deadLetters.Metrics ?? []).filter((found) => found.MetricStat !== undefined)) {
      expect(metric.MetricStat?.Metric.Dimensions).toEqual([queueNameDimension(deadLettersOf(id))]);
    }
    expect(propertiesOfAlarm(`DestinationCircuitOpen${suffix}`)).toMatchObject({
      Namespace: "Oncegate",
      MetricName: "CircuitOpened",
      Dimensions: expect.arrayContaining([
        { Name: "FunctionName", Value: stack.resolve(gateway.deliveryFunction.functionName) },
        { Name: "Destination", Value: id },
      ]),
      Statistic: "Sum",
      Period: 300,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  test("has no gateway-wide queue alarm left: every SQS alarm watches one destination's queue", () => {
    const destinationQueues = IDS.flatMap((id) => [queueOf(id), deadLettersOf(id)]).map((queue) =>
      JSON.stringify(queueNameDimension(queue)),
    );
    const sqsDimensions = Object.values(template.findResources("AWS::CloudWatch::Alarm")).flatMap((alarm) => {
      const properties = alarm.Properties as Alarm;
      const stats = (properties.Metrics ?? []).flatMap((metric) => metric.MetricStat?.Metric.Dimensions ?? []);
      return [...(properties.Dimensions ?? []), ...stats].filter(
        (dimension) => (dimension as { Name: string }).Name === "QueueName",
      );
    });
    expect(sqsDimensions).toHaveLength(IDS.length * 3);
    for (const dimension of sqsDimensions) expect(destinationQueues).toContain(JSON.stringify(dimension));
    expect(alarmIds()).not.toContain("DeadLetters");
    expect(alarmIds()).not.toContain("OldestDeliveryJob");
  });
});

describe("WebhookGateway limits, per destination", () => {
  test("deploys a destination id of 63 characters: its dead-letter queue's name is 78 of SQS's 80", () => {
    const id = `a${"b".repeat(62)}`;
    const longest = new Stack(testApp(), "Longest");
    const withLongest = new WebhookGateway(longest, "Gateway", {
      config: { ...CONFIG, destinations: [{ id, url: "https://a.example.com/", signingSecrets: [{ create: "a" }] }] },
    });
    const names = Object.values(Template.fromStack(longest).findResources("AWS::SQS::Queue")).map(
      (queue) => queue.Properties.QueueName as string,
    );
    expect(names.map((name) => name.length).sort()).toEqual([74, 78]);
    expect(withLongest.deadLetterQueues.has(id)).toBe(true);
  });

  test.each([
    ["an id ending in -dlq", ["orders", "orders-dlq"]],
    ["two ids that would share construct ids", ["a-b", "a--b"]],
  ])("rejects %s at synth, naming the field", (_label, ids) => {
    const config = {
      ...CONFIG,
      destinations: ids.map((id) => ({ id, url: "https://a.example.com/", signingSecrets: [{ create: "a" }] })),
    };
    expect(() => new WebhookGateway(new Stack(testApp(), "Refused"), "Gateway", { config })).toThrow(
      /^destinations\[1\]\.id: /,
    );
  });

  // The most destinations a configuration holds (it must fit the Lambdas' environment): short ids make the most,
  // the longest ids the longest ARNs.
  const SECRET = { secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf" };
  function mostDestinations(idLength: number): GatewayDeploymentConfig {
    const config = (count: number): GatewayDeploymentConfig => ({
      providers: { stripe: { scheme: "stripe", secrets: [SECRET] } },
      destinations: Array.from({ length: count }, (_, index) => ({
        id: `d${index}`.padEnd(idLength, "x"),
        url: "https://a.io/",
        signingSecrets: [SECRET],
      })),
    });
    let count = 1;
    for (;;) {
      try {
        validateDeploymentConfig(config(count + 1));
      } catch {
        return config(count);
      }
      count++;
    }
  }

  test.each([2, 63])(
    "keeps every policy within IAM's limits and every environment within Lambda's 4 KB with the most destinations of %i-character ids",
    (idLength) => {
      const config = mostDestinations(idLength);
      expect(config.destinations.length).toBeGreaterThanOrEqual(idLength === 2 ? 20 : 15);
      // The longest prefix, the operator policy included.
      const app = testApp();
      const most = new OncegateStack(app, "O".repeat(67), { config, alarmEmail: "oncall@acme.test" });
      const mostTemplate = Template.fromStack(most);
      const resources = Object.values(mostTemplate.toJSON().Resources) as {
        Type: string;
        Properties: Record<string, { Variables?: Record<string, unknown> } & Record<string, unknown>>;
      }[];
      // IAM: a managed policy holds 6 144 characters, a role's inline policies 10 240 together (CDK moves what
      // does not fit into managed policies of its own); whitespace does not count.
      for (const policy of resources.filter((resource) => resource.Type === "AWS::IAM::ManagedPolicy")) {
        expect(deployedPolicySize(mostTemplate, policy.Properties.PolicyDocument)).toBeLessThanOrEqual(6_144);
      }
      for (const policy of resources.filter((resource) => resource.Type === "AWS::IAM::Policy")) {
        expect(deployedPolicySize(mostTemplate, policy.Properties.PolicyDocument)).toBeLessThanOrEqual(10_240);
      }
      // Lambda: 4 KB of environment variables per function, names and values together.
      for (const fn of resources.filter((resource) => resource.Type === "AWS::Lambda::Function")) {
        const variables = deployedValue(mostTemplate, fn.Properties.Environment?.Variables ?? {});
        const bytes = Object.entries(variables as Record<string, string>).reduce(
          (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(String(value)),
          0,
        );
        expect(bytes).toBeLessThanOrEqual(4_096);
      }
    },
  );
});
