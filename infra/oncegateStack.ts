import { CfnOutput, Fn, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { ManagedPolicy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import { DemoConsumer } from "./constructs/demoConsumer.ts";
import { GATEWAY_ACTIONS } from "./constructs/gateway/gatewayPermissions.ts";
import { pascalCase } from "./constructs/names.ts";
import { WebhookGateway, type WebhookGatewayProps } from "./constructs/webhookGateway.ts";
import { validateOncegateSettings } from "./validateOncegateSettings.ts";

/** A deployment's settings (`infra/oncegate.config.ts`): the gateway's props, plus what only the app adds. */
export interface OncegateSettings extends WebhookGatewayProps {
  /**
   * Deploy the example consumer (a public Function URL) and add it as a destination of every provider. Refused next
   * to any provider but `demo` unless `demoConsumerWithRealProviders` confirms it. @default false
   */
  readonly demoConsumer?: boolean;
  /** Confirms that the demo consumer may receive the events of real providers too. @default false */
  readonly demoConsumerWithRealProviders?: boolean;
  /**
   * Subscribe this address to the alarm topic (AWS sends a confirmation email first). A deployment other than the
   * demo needs this or `alarmTopicArn`. @default none
   */
  readonly alarmEmail?: string;
  /**
   * Send every alarm to this existing SNS topic instead of creating one; its policy must let
   * `cloudwatch.amazonaws.com` publish. @default a topic created by the stack
   */
  readonly alarmTopicArn?: string;
  /** CloudFormation termination protection: `cdk destroy` fails until it is turned off. @default true */
  readonly terminationProtection?: boolean;
}

/**
 * The deployable app: a {@link WebhookGateway}, optionally the {@link DemoConsumer} as an extra destination, and
 * the outputs you need after `cdk deploy` (where to point providers, which secrets to set, what to watch).
 * `settings` are checked first ({@link validateOncegateSettings}); `stackProps` are CloudFormation's own.
 */
export class OncegateStack extends Stack {
  readonly gateway: WebhookGateway;
  readonly demoConsumer?: DemoConsumer;
  /** What the operator CLI (`npx oncegate --stack <this stack>`) needs: attach it to the operators' role or group. */
  readonly operatorPolicy: ManagedPolicy;

  constructor(scope: Construct, id: string, settings: OncegateSettings, stackProps: StackProps = {}) {
    validateOncegateSettings(settings);
    super(scope, id, {
      description: "Oncegate: a webhook gateway with exactly-once acceptance",
      terminationProtection: settings.terminationProtection ?? true,
      ...stackProps,
    });
    const {
      demoConsumer: withDemo,
      demoConsumerWithRealProviders: _confirmed,
      alarmEmail,
      alarmTopicArn,
      terminationProtection: _protection,
      config,
      ...gatewayProps
    } = settings;
    let destinations = config.destinations;
    if (withDemo) {
      this.demoConsumer = new DemoConsumer(this, "DemoConsumer", {
        removalPolicy: settings.removalPolicy,
        logRetention: settings.logRetention,
      });
      destinations = [...destinations, this.demoConsumer.destination()];
    }
    const alarmTopic: ITopic | undefined =
      alarmTopicArn === undefined ? gatewayProps.alarmTopic : Topic.fromTopicArn(this, "AlarmTopic", alarmTopicArn);
    this.gateway = new WebhookGateway(this, "Gateway", {
      ...gatewayProps,
      alarmTopic,
      config: { ...config, destinations },
    });
    if (alarmEmail !== undefined) this.gateway.alarmTopic.addSubscription(new EmailSubscription(alarmEmail));
    this.operatorPolicy = new ManagedPolicy(this, "OperatorPolicy", {
      description:
        "Oncegate operator CLI: read this stack's outputs, list, show and replay events, redrive dead jobs, pause and resume destinations, release the demo's keys",
      statements: [
        // The CLI finds every resource through the stack's outputs.
        new PolicyStatement({ actions: ["cloudformation:DescribeStacks"], resources: [this.stackId] }),
        ...this.gateway.operateStatements(),
        ...(this.demoConsumer === undefined ? [] : [this.demoConsumer.idempotencyTable.releaseStatement()]),
        // The console's overview charts the gateway's metrics (GetMetricData has no resource-level permissions).
        new PolicyStatement({ actions: [...GATEWAY_ACTIONS.readMetrics], resources: ["*"] }),
      ],
    });
    Validations.of(this.operatorPolicy).acknowledge({
      id: "AwsSolutions::AwsSolutions-IAM5[Resource::*]",
      reason: "cloudwatch:GetMetricData has no resource-level permissions; it reads metric values only",
    });
    this.gateway.bodyBucket.acknowledgeBodyKeys(this.operatorPolicy);
    this.gateway.acknowledgeQueuePatterns(this.operatorPolicy);
    this.addOutputs();
  }

  private addOutputs(): void {
    const { gateway, demoConsumer } = this;
    const output = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    output(
      "IntakeUrl",
      gateway.intakeUrl,
      "Point each provider at this URL followed by its name, e.g. …/webhooks/stripe",
    );
    if (gateway.intakeDomain !== undefined) {
      output(
        "IntakeDomainTarget",
        gateway.intakeDomain.regionalDomainName,
        "Point the custom domain's DNS record (CNAME or alias) here",
      );
    }
    output("Region", this.region, "The region every aws command below takes (--region)");
    output(
      "IntakeFunctionName",
      gateway.intakeFunction.functionName,
      "aws logs tail /aws/lambda/<this> for the intake",
    );
    output("DeliveryFunctionName", gateway.deliveryFunction.functionName, "The delivery Lambda (SQS event source)");
    output("SweeperFunctionName", gateway.sweeperFunction.functionName, "The sweeper Lambda (every minute)");
    output("EventsTableName", gateway.eventsTable.tableName, "Every accepted event and its delivery status");
    output(
      "DeliveryQueueUrl",
      gateway.deliveryQueueUrlTemplate,
      "Each destination's job queue, one job per event it receives; {destination} is a destination id",
    );
    output(
      "DeadLetterQueueUrl",
      gateway.deadLetterQueueUrlTemplate,
      "Each destination's dead-letter queue, its jobs that failed every attempt; {destination} is a destination id",
    );
    output(
      "DeadLetterQueueArn",
      gateway.deadLetterQueueArnTemplate,
      "For aws sqs start-message-move-task; {destination} is a destination id",
    );
    output(
      "DeliveryEventSources",
      Fn.join(
        ",",
        [...gateway.eventSources].map(([id, mapping]) => `${id}=${mapping.eventSourceMappingId}`),
      ),
      "Each destination's event source mapping, <id>=<uuid>: what destinations pause and resume disable and enable",
    );
    output(
      "RetryScheduleSeconds",
      gateway.settings.retryScheduleSeconds.join(","),
      "The delivery's retry schedule: the operator CLI sizes a redrive's round with it",
    );
    output(
      "PeakEventsPerSecond",
      String(gateway.settings.peakEventsPerSecond),
      "How the events table's indexes are sharded: the operator CLI reads every shard",
    );
    output(
      "DestinationIds",
      gateway.settings.destinations.map(({ id }) => id).join(","),
      "The configured destinations: the operator CLI replays an event to one it was not sent to only if it is here",
    );
    output("OperatorPolicyArn", this.operatorPolicy.managedPolicyArn, "Attach to whoever runs npx oncegate --stack");
    output("DashboardName", gateway.dashboard.dashboardName, "CloudWatch dashboard of the gateway");
    output("AlarmTopicArn", gateway.alarmTopic.topicArn, "Subscribe to receive the alarms");
    for (const [name, secret] of gateway.createdSecrets) {
      output(`Secret${pascalCase(name)}Arn`, secret.secretArn, `Put the value of secret "${name}" here`);
    }
    if (demoConsumer !== undefined) {
      output("DemoConsumerUrl", demoConsumer.url, "The demo destination's Function URL");
      output("DemoConsumerLogGroup", demoConsumer.logGroupName, "aws logs tail this to watch deliveries arrive");
      output("DemoIdempotencyTableName", demoConsumer.idempotencyTable.tableName, "The demo consumer's SDK records");
    }
  }
}
