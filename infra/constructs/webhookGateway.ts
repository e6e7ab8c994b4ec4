import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { HttpApi, HttpStage, ThrottleSettings } from "aws-cdk-lib/aws-apigatewayv2";
import type { Alarm, Dashboard } from "aws-cdk-lib/aws-cloudwatch";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { Grant, IGrantable } from "aws-cdk-lib/aws-iam";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { maxReceiveCountFor } from "../../lambdas/delivery/receiveLimit.ts";
import { ENV } from "../../lambdas/shared/environment.ts";
import { INTAKE_LAMBDA_TIMEOUT_SECONDS } from "../../lambdas/shared/intakeTimeouts.ts";
import type { ResolvedGatewayConfig } from "../../lambdas/shared/parseGatewayConfig.ts";
import { type GatewayDeploymentConfig, mapSecretRefs } from "../gatewayDeploymentConfig.ts";
import { validateDeploymentConfig } from "../validateDeploymentConfig.ts";
import { newDeliveryQueues } from "./gateway/deliveryQueues.ts";
import { newEventsTable } from "./gateway/eventsTable.ts";
import { GatewayAlarms } from "./gateway/gatewayAlarms.ts";
import {
  checkBatching,
  checkDeliveryTimeout,
  checkRetryWindow,
  defaultOldestJobThreshold,
} from "./gateway/gatewayChecks.ts";
import { newGatewayDashboard } from "./gateway/gatewayDashboard.ts";
import { allow, GATEWAY_ACTIONS, sweepIndexArn } from "./gateway/gatewayPermissions.ts";
import { GatewaySecrets } from "./gateway/gatewaySecrets.ts";
import { newIntakeApi } from "./gateway/intakeApi.ts";
import { HandlerFunction } from "./handlerFunction.ts";

export interface WebhookGatewayProps {
  /**
   * Providers, destinations and delivery settings: the Lambdas' `GatewayConfig`, with secrets as
   * {@link GatewayDeploymentConfig} references. Checked at synth time by the Lambdas' own parser.
   */
  readonly config: GatewayDeploymentConfig;
  /** Stage-wide throttling of the intake API (requests per second, burst). @default { rateLimit: 100, burstLimit: 200 } */
  readonly throttle?: ThrottleSettings;
  /** Jobs per delivery invocation (at most 10 without a batching window). @default 10 */
  readonly deliveryBatchSize?: number;
  /** How long the event source gathers jobs before invoking. @default none: jobs are delivered as they arrive */
  readonly deliveryBatchingWindow?: Duration;
  /** Most concurrent delivery invocations (2 to 1000), which caps the load on your consumers. @default 5 */
  readonly deliveryMaxConcurrency?: number;
  /** The delivery function's timeout; at least every destination's `timeoutMs` plus 5 seconds. @default 30 seconds */
  readonly deliveryTimeout?: Duration;
  /** Retention of the functions' and the API's logs. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
  /** What deleting the stack does to the events table and the log groups. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** Where the alarms send ALARM and OK. @default a new SNS topic */
  readonly alarmTopic?: ITopic;
  /** Alarm when a delivery job waits longer than this. @default 15 minutes, or the first two retry delays + 5 minutes */
  readonly oldestJobAlarmThreshold?: Duration;
  /** Alarm when this share of intake requests (in %) is answered 5xx over 5 minutes. @default 5 */
  readonly intakeServerErrorAlarmPercent?: number;
}

/** The defaults documented on {@link WebhookGatewayProps}. */
export const WEBHOOK_GATEWAY_DEFAULTS = {
  throttle: { rateLimit: 100, burstLimit: 200 },
  deliveryBatchSize: 10,
  deliveryMaxConcurrency: 5,
  deliveryTimeout: Duration.seconds(30),
  logRetention: RetentionDays.ONE_MONTH,
  removalPolicy: RemovalPolicy.RETAIN,
  oldestJobAlarmThreshold: Duration.minutes(15),
  intakeServerErrorAlarmPercent: 5,
} as const;

/**
 * Oncegate in one construct: the HTTP intake, the events table, the delivery queue and its dead-letter queue, the
 * intake, delivery and sweeper functions, their secrets, least-privilege roles, alarms and a dashboard.
 *
 * @example
 * new WebhookGateway(this, "Webhooks", {
 *   config: {
 *     providers: { stripe: { scheme: "stripe", secrets: [{ create: "stripe" }] } },
 *     destinations: [{ id: "orders", url: "https://orders.example.com/webhooks", signingSecrets: [{ create: "orders" }] }],
 *   },
 * });
 */
export class WebhookGateway extends Construct {
  /** The configuration as the Lambdas will read it, with every default applied (secrets as placeholders). */
  readonly settings: ResolvedGatewayConfig;
  readonly eventsTable: Table;
  readonly deliveryQueue: Queue;
  readonly deadLetterQueue: Queue;
  readonly intakeFunction: NodejsFunction;
  readonly deliveryFunction: NodejsFunction;
  readonly sweeperFunction: NodejsFunction;
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** `https://…/webhooks/`: point a provider at this URL followed by its name in `config.providers`. */
  readonly intakeUrl: string;
  /** Secrets created for `{ create: name }` references, by name. */
  readonly createdSecrets: ReadonlyMap<string, ISecret>;
  readonly alarmTopic: ITopic;
  readonly alarms: Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: WebhookGatewayProps) {
    super(scope, id);
    const settings = validateDeploymentConfig(props.config);
    this.settings = settings;
    const removalPolicy = props.removalPolicy ?? WEBHOOK_GATEWAY_DEFAULTS.removalPolicy;
    const logRetention = props.logRetention ?? WEBHOOK_GATEWAY_DEFAULTS.logRetention;
    const deliveryTimeout = props.deliveryTimeout ?? WEBHOOK_GATEWAY_DEFAULTS.deliveryTimeout;
    const batchingWindow = props.deliveryBatchingWindow ?? Duration.seconds(0);
    const batchSize = props.deliveryBatchSize ?? WEBHOOK_GATEWAY_DEFAULTS.deliveryBatchSize;
    checkDeliveryTimeout(settings, deliveryTimeout);
    checkRetryWindow(settings);
    checkBatching(batchSize, batchingWindow);

    const secrets = new GatewaySecrets(this, "Secrets");
    const lambdaConfig = mapSecretRefs(props.config, (ref, owner) => secrets.lambdaRef(ref, owner));
    this.createdSecrets = secrets.created;

    this.eventsTable = newEventsTable(this, "EventsTable", removalPolicy);
    const queues = newDeliveryQueues(this, {
      deliveryTimeout,
      batchingWindow,
      maxReceiveCount: maxReceiveCountFor(settings.retryScheduleSeconds),
    });
    this.deliveryQueue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;

    const environment = {
      [ENV.config]: Stack.of(this).toJsonString(lambdaConfig),
      [ENV.eventsTable]: this.eventsTable.tableName,
      [ENV.deliveryQueueUrl]: this.deliveryQueue.queueUrl,
    };
    const common = { environment, logRetention, logRemovalPolicy: removalPolicy };
    const intake = new HandlerFunction(this, "Intake", {
      ...common,
      entry: "lambdas/intake/handler.ts",
      description: "Oncegate intake: verifies, stores and enqueues each webhook once",
      timeout: Duration.seconds(INTAKE_LAMBDA_TIMEOUT_SECONDS),
      memorySize: 512,
    });
    const delivery = new HandlerFunction(this, "Delivery", {
      ...common,
      entry: "lambdas/delivery/handler.ts",
      description: "Oncegate delivery: signs and POSTs each job to its destination, with retries",
      timeout: deliveryTimeout,
      memorySize: 512,
    });
    const sweeper = new HandlerFunction(this, "Sweeper", {
      ...common,
      entry: "lambdas/sweeper/handler.ts",
      description: "Oncegate sweeper: re-enqueues events whose intake stopped before enqueueing",
      // Shorter than the schedule's minute, so two runs rarely overlap (an overlap is harmless, only wasteful).
      timeout: Duration.seconds(50),
      memorySize: 256,
      // A failed run is retried by the next one, a minute later.
      asyncRetryAttempts: 0,
    });
    this.intakeFunction = intake.lambdaFunction;
    this.deliveryFunction = delivery.lambdaFunction;
    this.sweeperFunction = sweeper.lambdaFunction;

    const table = this.eventsTable.tableArn;
    const queue = this.deliveryQueue.queueArn;
    allow(intake.role, GATEWAY_ACTIONS.intakeTable, [table]);
    allow(intake.role, GATEWAY_ACTIONS.enqueue, [queue]);
    secrets.grantReadTo("provider", intake.role);
    allow(delivery.role, GATEWAY_ACTIONS.deliveryTable, [table]);
    allow(delivery.role, GATEWAY_ACTIONS.deliveryQueue, [queue]);
    secrets.grantReadTo("destination", delivery.role);
    allow(sweeper.role, GATEWAY_ACTIONS.sweeperTable, [table]);
    allow(sweeper.role, GATEWAY_ACTIONS.sweeperIndex, [sweepIndexArn(this.eventsTable)]);
    allow(sweeper.role, GATEWAY_ACTIONS.enqueue, [queue]);

    this.deliveryFunction.addEventSourceMapping("DeliveryJobs", {
      eventSourceArn: queue,
      batchSize,
      maxBatchingWindow: props.deliveryBatchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency: props.deliveryMaxConcurrency ?? WEBHOOK_GATEWAY_DEFAULTS.deliveryMaxConcurrency,
    });
    new Rule(this, "SweepSchedule", {
      description: "Runs the Oncegate sweeper every minute",
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.sweeperFunction, { retryAttempts: 0 })],
    });

    const intakeApi = newIntakeApi(this, {
      intake: this.intakeFunction,
      throttle: props.throttle ?? WEBHOOK_GATEWAY_DEFAULTS.throttle,
      logRetention,
      logRemovalPolicy: removalPolicy,
    });
    this.api = intakeApi.api;
    this.stage = intakeApi.stage;
    this.intakeUrl = intakeApi.intakeUrl;

    this.alarmTopic = props.alarmTopic ?? newAlarmTopic(this);
    const alarms = new GatewayAlarms(this, "Alarms", {
      topic: this.alarmTopic,
      queue: this.deliveryQueue,
      deadLetterQueue: this.deadLetterQueue,
      api: this.api,
      functions: { Intake: this.intakeFunction, Delivery: this.deliveryFunction, Sweeper: this.sweeperFunction },
      oldestMessageAgeThreshold:
        props.oldestJobAlarmThreshold ??
        defaultOldestJobThreshold(settings, WEBHOOK_GATEWAY_DEFAULTS.oldestJobAlarmThreshold),
      intakeServerErrorRatePercent:
        props.intakeServerErrorAlarmPercent ?? WEBHOOK_GATEWAY_DEFAULTS.intakeServerErrorAlarmPercent,
    });
    this.alarms = [...alarms.alarms.values()];
    this.dashboard = newGatewayDashboard(this, "Dashboard", {
      intake: this.intakeFunction,
      delivery: this.deliveryFunction,
      api: this.api,
      queue: this.deliveryQueue,
      deadLetterQueue: this.deadLetterQueue,
      alarms: this.alarms,
    });
  }

  /** Lets `grantee` read events (GetItem) and query the table and its sweep index, e.g. an operator's tool. */
  grantReadEvents(grantee: IGrantable): Grant {
    return allow(grantee, GATEWAY_ACTIONS.readEvents, [this.eventsTable.tableArn, sweepIndexArn(this.eventsTable)]);
  }

  /** Lets `grantee` put delivery jobs (`{ pk, destination }`) on the delivery queue, e.g. a replay tool. */
  grantEnqueueJobs(grantee: IGrantable): Grant {
    return allow(grantee, GATEWAY_ACTIONS.enqueue, [this.deliveryQueue.queueArn]);
  }

  /** Lets `grantee` move dead jobs back to the delivery queue (`aws sqs start-message-move-task`). */
  grantRedriveDeadLetters(grantee: IGrantable): Grant {
    const fromDeadLetters = allow(grantee, GATEWAY_ACTIONS.redriveDeadLetters, [this.deadLetterQueue.queueArn]);
    return fromDeadLetters.combine(this.grantEnqueueJobs(grantee));
  }
}

// Alarm notifications carry alarm names and states only, so the topic is not KMS-encrypted: CloudWatch cannot
// publish to a topic encrypted with the AWS managed key, and a customer managed key would cost more than it hides.
function newAlarmTopic(scope: Construct): Topic {
  return new Topic(scope, "AlarmTopic", { displayName: "Oncegate alarms", enforceSSL: true });
}
