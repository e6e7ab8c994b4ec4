import { beforeAll, describe, expect, test } from "@jest/globals";
import { Duration, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Topic } from "aws-cdk-lib/aws-sns";
import { DESTINATION_ASSUMPTIONS, FIXED_ASSUMPTIONS } from "../../bench/cost/fixedMonthlyCost.ts";
import { WebhookGateway } from "../../infra/constructs/webhookGateway.ts";
import type { GatewayDeploymentConfig } from "../../infra/gatewayDeploymentConfig.ts";
import type { OncegateStack } from "../../infra/oncegateStack.ts";
import { GATEWAY_METRICS, METRICS_DIMENSION, METRICS_NAMESPACE } from "../../lambdas/shared/metrics.ts";
import { joinedJson } from "./support/joinedJson.ts";
import { oncegateStack, testApp } from "./support/testApp.ts";

let stack: OncegateStack;
let template: Template;
beforeAll(() => {
  stack = oncegateStack();
  template = Template.fromStack(stack);
});

type AlarmProperties = Record<string, unknown> & {
  MetricName?: string;
  Namespace?: string;
  Threshold: number;
  Dimensions?: { Name: string; Value: unknown }[];
  Metrics?: {
    Id: string;
    Label?: string;
    Expression?: string;
    MetricStat?: { Metric: { MetricName: string; Namespace?: string; Dimensions?: unknown[] } };
  }[];
};

/** Every alarm of the demo stack (one destination, `demo`). */
const ALARM_IDS = [
  "DeadJobs",
  "DeliveryErrors",
  "DeliveryFailed",
  "DeliveryThrottles",
  "DestinationCircuitOpenDemo",
  "DestinationDeadLettersDemo",
  "DestinationOldestJobDemo",
  "DestinationRetriesDemo",
  "IntakeContentRefusals",
  "IntakeErrors",
  "IntakeServerErrorRate",
  "IntakeSignatureRefusals",
  "IntakeThrottled",
  "IntakeThrottles",
  "SweeperErrors",
  "SweeperInvocations",
  "SweeperThrottles",
  "SweptEventErrors",
];

function alarms(from: Template = template): AlarmProperties[] {
  return Object.values(from.findResources("AWS::CloudWatch::Alarm")).map((alarm) => alarm.Properties);
}

function alarmOn(metricName: string, dimension: unknown): AlarmProperties {
  const found = alarms().find(
    (alarm) =>
      alarm.MetricName === metricName && JSON.stringify(alarm.Dimensions ?? []).includes(JSON.stringify(dimension)),
  );
  if (found === undefined) throw new Error(`no alarm on ${metricName} of ${JSON.stringify(dimension)}`);
  return found;
}

describe("WebhookGateway alarms", () => {
  test("the cost model bills every alarm and dashboard the template has (bench:cost's fixed and per-destination lines)", () => {
    const destinations = stack.gateway.settings.destinations.length;
    expect(alarms()).toHaveLength(
      FIXED_ASSUMPTIONS.gatewayAlarms + destinations * DESTINATION_ASSUMPTIONS.ownQueueAlarms,
    );
    template.resourceCountIs("AWS::CloudWatch::Dashboard", FIXED_ASSUMPTIONS.dashboards);
  });

  test("sends ALARM and OK of every alarm to one SNS topic that refuses requests without TLS", () => {
    const topic = stack.resolve(stack.gateway.alarmTopic.topicArn);
    expect(stack.gateway.alarms.map((alarm) => alarm.node.id).sort()).toEqual(ALARM_IDS);
    expect(alarms()).toHaveLength(ALARM_IDS.length);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
      expect(alarm.AlarmDescription).toEqual(expect.any(String));
    }
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  test("lets CloudWatch alarms of this account, and only them, publish to the topic it creates", () => {
    // enforceSSL writes a topic policy, which replaces SNS's default one: without this statement no alarm reaches it.
    const topic = stack.resolve(stack.gateway.alarmTopic.topicArn);
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      Topics: [topic],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Sid: "AllowCloudWatchAlarmsToPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topic,
            Condition: {
              StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
              ArnLike: {
                "aws:SourceArn": {
                  "Fn::Join": [
                    "",
                    [
                      "arn:",
                      { Ref: "AWS::Partition" },
                      ":cloudwatch:",
                      { Ref: "AWS::Region" },
                      ":",
                      { Ref: "AWS::AccountId" },
                      ":alarm:*",
                    ],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
  });

  test("treats missing data as nothing happened for every alarm but the sweeper's invocations", () => {
    for (const alarm of alarms()) {
      if (alarm.MetricName === "Invocations") continue;
      expect(alarm.TreatMissingData).toBe("notBreaching");
    }
  });

  test("fires as soon as a destination's dead-letter queue holds a message, visible or in flight (the sweeper reads them)", () => {
    const queueName = stack.resolve(stack.gateway.deadLetterQueues.get("demo")?.queueName);
    const deadLetters = alarms().find((alarm) => alarm.Metrics?.some((m) => m.Expression === "visible + inFlight"));
    expect(deadLetters).toMatchObject({ Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" });
    const stats = Object.fromEntries(
      (deadLetters?.Metrics ?? []).filter((m) => m.MetricStat !== undefined).map((m) => [m.Id, m.MetricStat]),
    );
    const depth = (metricName: string) => ({
      Metric: { Namespace: "AWS/SQS", MetricName: metricName, Dimensions: [{ Name: "QueueName", Value: queueName }] },
      Period: 60,
      Stat: "Maximum",
    });
    expect(stats).toEqual({
      visible: depth("ApproximateNumberOfMessagesVisible"),
      inFlight: depth("ApproximateNumberOfMessagesNotVisible"),
    });
  });

  test("fires when the oldest job of a destination's queue is older than 15 minutes", () => {
    const queueName = stack.resolve(stack.gateway.deliveryQueues.get("demo")?.queueName);
    expect(alarmOn("ApproximateAgeOfOldestMessage", { Name: "QueueName", Value: queueName })).toMatchObject({
      Statistic: "Maximum",
      Threshold: 900,
    });
  });

  test("raises the oldest-job threshold when the first two retry delays are longer", () => {
    const custom = new Stack(testApp(), "SlowRetries");
    const config: GatewayDeploymentConfig = {
      providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
      destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
      retryScheduleSeconds: [600, 1200, 3600],
    };
    new WebhookGateway(custom, "Gateway", { config });
    Template.fromStack(custom).hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateAgeOfOldestMessage",
      Threshold: 600 + 1200 + 300,
    });
    const explicit = new Stack(testApp(), "Explicit");
    new WebhookGateway(explicit, "Gateway", { config, oldestJobAlarmThreshold: Duration.hours(2) });
    Template.fromStack(explicit).hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateAgeOfOldestMessage",
      Threshold: 7200,
    });
  });

  test("fires when 5% of intake requests over 5 minutes are answered 5xx", () => {
    const rate = alarms().find((alarm) => alarm.Metrics?.some((metric) => metric.Expression?.includes("errors")));
    expect(rate?.Threshold).toBe(5);
    const expression = rate?.Metrics?.find((metric) => metric.Expression !== undefined)?.Expression;
    expect(expression).toBe("IF(requests > 0, 100 * errors / requests, 0)");
    const used = rate?.Metrics?.flatMap((metric) => (metric.MetricStat ? [metric.MetricStat.Metric.MetricName] : []));
    expect(used?.sort()).toEqual(["5xx", "Count"]);
  });

  test.each(["intake", "delivery", "sweeper"] as const)("fires on any error or throttle of the %s function", (name) => {
    const fn = {
      intake: stack.gateway.intakeFunction,
      delivery: stack.gateway.deliveryFunction,
      sweeper: stack.gateway.sweeperFunction,
    }[name];
    const dimension = { Name: "FunctionName", Value: stack.resolve(fn.functionName) };
    for (const metric of ["Errors", "Throttles"]) {
      expect(alarmOn(metric, dimension)).toMatchObject({ Namespace: "AWS/Lambda", Statistic: "Sum", Threshold: 1 });
    }
  });

  test.each([
    ["delivery", "Failed", "a delivery failed for good (401, 404, 410…: no dead-letter queue sees those)"],
    ["delivery", "Dead", "a job died, as a rate: a second incident notifies while DeadLetters is still in alarm"],
    ["sweeper", "SweepFailed", "an event could not be re-enqueued (the run succeeds, so Errors cannot see it)"],
  ] as const)("fires on the %s's %s count within 5 minutes: %s", (name, metric, _why) => {
    const fn = name === "delivery" ? stack.gateway.deliveryFunction : stack.gateway.sweeperFunction;
    expect(alarmOn(metric, { Name: "FunctionName", Value: stack.resolve(fn.functionName) })).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Statistic: "Sum",
      Period: 300,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
  });

  test("fires per destination when its retries pile up (10 in 15 minutes by default), from the delivery's EMF metric", () => {
    const delivery = stack.resolve(stack.gateway.deliveryFunction.functionName);
    const retries = alarms().filter((alarm) => alarm.MetricName === "Retried");
    expect(retries).toHaveLength(stack.gateway.settings.destinations.length);
    expect(alarmOn("Retried", { Name: "Destination", Value: "demo" })).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [
        { Name: "Destination", Value: "demo" },
        { Name: "FunctionName", Value: delivery },
      ],
      Statistic: "Sum",
      Period: 900,
      Threshold: 10,
      TreatMissingData: "notBreaching",
    });
  });

  test("takes the per-destination retry threshold from the props, one alarm per destination", () => {
    const custom = new Stack(testApp(), "Retries");
    new WebhookGateway(custom, "Gateway", {
      config: {
        providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
        destinations: [
          { id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] },
          { id: "billing", url: "https://billing.example.com/hooks", signingSecrets: [{ create: "billing" }] },
        ],
      },
      destinationRetryAlarmThreshold: 3,
    });
    const retries = alarms(Template.fromStack(custom)).filter((alarm) => alarm.MetricName === "Retried");
    const destinationOf = (alarm: AlarmProperties) => alarm.Dimensions?.find((d) => d.Name === "Destination")?.Value;
    expect(retries.map((alarm) => [destinationOf(alarm), alarm.Threshold]).sort()).toEqual([
      ["billing", 3],
      ["orders", 3],
    ]);
  });

  test("fires when the sweeper stopped running: no invocation for 10 minutes, missing data counting as breaching", () => {
    const sweeper = stack.resolve(stack.gateway.sweeperFunction.functionName);
    expect(alarmOn("Invocations", { Name: "FunctionName", Value: sweeper })).toMatchObject({
      Namespace: "AWS/Lambda",
      Statistic: "Sum",
      Period: 300,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
  });

  const expressionAlarm = (label: string) => {
    const found = alarms().find((alarm) => alarm.Metrics?.some((metric) => metric.Label === label));
    if (found === undefined) throw new Error(`no alarm labelled ${label}`);
    return found;
  };
  const usedMetrics = (alarm: AlarmProperties) =>
    Object.fromEntries(
      (alarm.Metrics ?? []).flatMap((metric) =>
        metric.MetricStat === undefined ? [] : [[metric.Id, metric.MetricStat.Metric]],
      ),
    );

  test("fires when 25% of intake requests in 5 minutes are refused for their signature (a wrong or placeholder secret)", () => {
    const alarm = expressionAlarm("Intake signature refusals (% of requests)");
    expect(alarm.Threshold).toBe(25);
    expect(alarm.Metrics?.find((metric) => metric.Expression !== undefined)?.Expression).toBe(
      "IF(requests >= 5, 100 * (FILL(invalid_signature, 0) + FILL(stale_timestamp, 0)) / requests, 0)",
    );
    const intake = stack.resolve(stack.gateway.intakeFunction.functionName);
    expect(usedMetrics(alarm)).toMatchObject({
      invalid_signature: {
        Namespace: METRICS_NAMESPACE,
        MetricName: "Rejected",
        Dimensions: expect.arrayContaining([
          { Name: "FunctionName", Value: intake },
          { Name: "Reason", Value: "invalid_signature" },
        ]),
      },
      stale_timestamp: { MetricName: "Rejected" },
      requests: { Namespace: "AWS/ApiGateway", MetricName: "Count" },
    });
  });

  test("fires on any signed webhook refused for its content (body too large, no event id, malformed payload)", () => {
    const alarm = expressionAlarm("Intake content refusals");
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold" });
    expect(Object.keys(usedMetrics(alarm)).sort()).toEqual([
      "invalid_event_id",
      "malformed_payload",
      "missing_event_id",
      "payload_too_large",
    ]);
  });

  test("counts the API's 429s from its access log, per API, and fires on any", () => {
    const [stage] = Object.values(template.findResources("AWS::ApiGatewayV2::Stage"));
    expect(JSON.parse(stage?.Properties.AccessLogSettings.Format)).toMatchObject({ apiId: "$context.apiId" });
    template.hasResourceProperties("AWS::Logs::MetricFilter", {
      LogGroupName: stack.resolve(stack.gateway.accessLogs?.logGroupName),
      FilterPattern: '{ $.status = "429" }',
      MetricTransformations: [
        {
          MetricNamespace: METRICS_NAMESPACE,
          MetricName: "IntakeThrottled",
          MetricValue: "1",
          Dimensions: [{ Key: "ApiId", Value: "$.apiId" }],
        },
      ],
    });
    expect(alarmOn("IntakeThrottled", { Name: "ApiId", Value: stack.resolve(stack.gateway.api?.apiId) })).toMatchObject(
      {
        Statistic: "Sum",
        Period: 300,
        Threshold: 1,
        TreatMissingData: "notBreaching",
      },
    );
  });

  test("uses a given alarm topic instead of creating one", () => {
    const custom = new Stack(testApp(), "OwnTopic");
    const topic = new Topic(custom, "Pager");
    new WebhookGateway(custom, "Gateway", {
      config: {
        providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
        destinations: [{ id: "o", url: "https://o.example.com/", signingSecrets: [{ create: "o" }] }],
      },
      alarmTopic: topic,
    });
    const own = Template.fromStack(custom);
    own.resourceCountIs("AWS::SNS::Topic", 1);
    for (const alarm of alarms(own)) expect(alarm.AlarmActions).toEqual([custom.resolve(topic.topicArn)]);
  });
});

describe("WebhookGateway dashboard", () => {
  type Widget = { properties: { title?: string; metrics?: unknown[][]; alarms?: unknown[] } };
  let widgets: Widget[];
  beforeAll(() => {
    const [dashboard] = Object.values(template.findResources("AWS::CloudWatch::Dashboard"));
    widgets = joinedJson(dashboard?.Properties.DashboardBody).widgets as Widget[];
  });
  const ref = (token: string) => `<Ref ${stack.resolve(token).Ref}>`;
  const chartedMetrics = () => widgets.flatMap((widget) => widget.properties.metrics ?? []);

  test("charts the six counts the Lambdas publish as EMF: Accepted, Duplicate and Unrouted by the intake, the rest by the delivery", () => {
    const intake = ref(stack.gateway.intakeFunction.functionName);
    const delivery = ref(stack.gateway.deliveryFunction.functionName);
    const counted = chartedMetrics()
      .filter((metric) => metric[0] === METRICS_NAMESPACE)
      .map(([, name, dimension, value]) => `${name} ${dimension}=${value}`);
    expect(new Set(counted)).toEqual(
      new Set(
        GATEWAY_METRICS.map(
          (name) =>
            `${name} ${METRICS_DIMENSION}=${["Accepted", "Duplicate", "Unrouted"].includes(name) ? intake : delivery}`,
        ),
      ),
    );
  });

  test("totals the counts over the dashboard's time range and charts them per minute", () => {
    const totals = widgets.find((widget) => widget.properties.title?.startsWith("Events (total"));
    expect(totals?.properties).toMatchObject({ setPeriodToTimeRange: true });
    expect(totals?.properties.metrics).toHaveLength(6);
    for (const title of ["Webhooks received per minute", "Delivery outcomes per minute"]) {
      expect(widgets.some((widget) => widget.properties.title === title)).toBe(true);
    }
  });

  test("shows the queues, the intake's answers and every alarm", () => {
    const names = chartedMetrics().map((metric) => `${metric[0]} ${metric[1]}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "AWS/SQS ApproximateNumberOfMessagesVisible",
        "AWS/SQS ApproximateAgeOfOldestMessage",
        "AWS/ApiGateway 5xx",
        "AWS/ApiGateway 4xx",
      ]),
    );
    const alarmWidget = widgets.find((widget) => widget.properties.title === "Alarms");
    expect(alarmWidget?.properties.alarms).toHaveLength(ALARM_IDS.length);
  });
});
