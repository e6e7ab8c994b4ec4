import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { DomainName, HttpApi, HttpStage } from "aws-cdk-lib/aws-apigatewayv2";
import type { Alarm, Dashboard } from "aws-cdk-lib/aws-cloudwatch";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import type { Grant, IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { EventSourceMapping, FunctionUrl } from "aws-cdk-lib/aws-lambda";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { LogGroup } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { maxReceiveCountFor } from "../../lambdas/delivery/receiveLimit.ts";
import { ENV } from "../../lambdas/shared/environment.ts";
import { INTAKE_LAMBDA_TIMEOUT_SECONDS } from "../../lambdas/shared/intakeTimeouts.ts";
import type { ResolvedGatewayConfig } from "../../lambdas/shared/parseGatewayConfig.ts";
import { mapSecretRefs } from "../gatewayDeploymentConfig.ts";
import { type RouteThrottle, routeThrottles, withoutRouteSettings } from "../providerRoutes.ts";
import { validateDeploymentConfig } from "../validateDeploymentConfig.ts";
import { BodyBucket } from "./bodyBucket.ts";
import { newAlarmTopic } from "./gateway/alarmTopic.ts";
import { type DestinationDelivery, newDestinationDeliveries } from "./gateway/destinationDeliveries.ts";
import { newEventsTable } from "./gateway/eventsTable.ts";
import { GatewayAlarms } from "./gateway/gatewayAlarms.ts";
import {
  checkBatching,
  checkDeliveryTimeout,
  checkRetryWindow,
  defaultOldestJobThreshold,
} from "./gateway/gatewayChecks.ts";
import { newGatewayDashboard } from "./gateway/gatewayDashboard.ts";
import { allow, GATEWAY_ACTIONS, listIndexArn, listingIndexArns, statement } from "./gateway/gatewayPermissions.ts";
import { GatewaySecrets } from "./gateway/gatewaySecrets.ts";
import { newIntakeApi } from "./gateway/intakeApi.ts";
import { intakeReservedConcurrency } from "./gateway/intakeConcurrency.ts";
import { intakeDomainSettings } from "./gateway/intakeDomain.ts";
import type { IntakeEdge } from "./gateway/intakeEdge.ts";
import { newIntakeFunctionUrl } from "./gateway/intakeFunctionUrl.ts";
import { acknowledgeQueuePatterns, operatorPermissions } from "./gateway/operatorPermissions.ts";
import { type QueueAddresses, queueAddresses } from "./gateway/queueAddresses.ts";
import { checkDestinationIds, gatewayResourceNames } from "./gateway/resourceNames.ts";
import { newSweepSchedule, SWEEP_PERIOD } from "./gateway/sweepSchedule.ts";
import { HandlerFunction } from "./handlerFunction.ts";
import {
  intakeEdgeOf,
  rejectUnknownProps,
  WEBHOOK_GATEWAY_DEFAULTS,
  type WebhookGatewayProps,
} from "./webhookGatewayProps.ts";

export { WEBHOOK_GATEWAY_DEFAULTS, type WebhookGatewayProps } from "./webhookGatewayProps.ts";

// Each route has its own limit: together they are the most the intake can be asked to take.
function sumOfRates(routes: ReadonlyMap<string, RouteThrottle>): number {
  return [...routes.values()].reduce((sum, route) => sum + route.rateLimit, 0);
}

/**
 * Oncegate in one construct: the HTTP intake, the events table, the body bucket, per destination a job queue, its
 * dead-letter queue and an event source with its own concurrency (a slow destination holds up no other), the intake,
 * delivery and sweeper functions, their secrets, least-privilege roles, alarms and a dashboard.
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
  /** Bodies above the inline limit, content-addressed, expired after the events' retention (`BodyBucket`). */
  readonly bodyBucket: BodyBucket;
  /** Each destination's job queue, `<base>-<id>`, by destination id. */
  readonly deliveryQueues: ReadonlyMap<string, Queue>;
  /** Each destination's dead-letter queue, `<base>-<id>-dlq`, by destination id. */
  readonly deadLetterQueues: ReadonlyMap<string, Queue>;
  /** Each destination's event source mapping on the delivery function (what pausing it disables), by destination id. */
  readonly eventSources: ReadonlyMap<string, EventSourceMapping>;
  /** Every job queue's URL: `https://sqs.<region>.<url suffix>/<account>/<base>-{destination}`. */
  readonly deliveryQueueUrlTemplate: string;
  /** Every dead-letter queue's URL: `https://sqs.<region>.<url suffix>/<account>/<base>-{destination}-dlq`. */
  readonly deadLetterQueueUrlTemplate: string;
  /** Every dead-letter queue's ARN: `arn:<partition>:sqs:<region>:<account>:<base>-{destination}-dlq`. */
  readonly deadLetterQueueArnTemplate: string;
  readonly intakeFunction: NodejsFunction;
  readonly deliveryFunction: NodejsFunction;
  readonly sweeperFunction: NodejsFunction;
  /** The HTTP API providers POST to; absent with `intakeEdge: "functionUrl"`. */
  readonly api?: HttpApi;
  readonly stage?: HttpStage;
  /** The intake's function URL, with `intakeEdge: "functionUrl"`. */
  readonly intakeFunctionUrl?: FunctionUrl;
  /** The custom domain (`domainName`): point its DNS record at `regionalDomainName`. */
  readonly intakeDomain?: DomainName;
  /** The API's access log: one JSON line per request (the HTTP API edge only). */
  readonly accessLogs?: LogGroup;
  /** `https://…/webhooks/`: point a provider at this URL followed by its name in `config.providers`. */
  readonly intakeUrl: string;
  /** Secrets created for `{ create: name }` references, by name. */
  readonly createdSecrets: ReadonlyMap<string, ISecret>;
  readonly alarmTopic: ITopic;
  readonly alarms: Alarm[];
  readonly dashboard: Dashboard;
  readonly #addresses: QueueAddresses;
  readonly #deliveries: readonly DestinationDelivery[];

  constructor(scope: Construct, id: string, props: WebhookGatewayProps) {
    super(scope, id);
    rejectUnknownProps(props);
    const edgeKind = intakeEdgeOf(props);
    const settings = validateDeploymentConfig(props.config);
    const throttle = props.throttle ?? WEBHOOK_GATEWAY_DEFAULTS.throttle;
    const routes = routeThrottles(props.config, throttle);
    const domain = intakeDomainSettings(props);
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
    const lambdaConfig = mapSecretRefs(withoutRouteSettings(props.config), (ref, owner) =>
      secrets.lambdaRef(ref, owner),
    );
    this.createdSecrets = secrets.created;

    const names = gatewayResourceNames(props.resourceNamePrefix ?? Stack.of(this).stackName);
    const destinationIds = settings.destinations.map((destination) => destination.id);
    checkDestinationIds(destinationIds);
    this.#addresses = queueAddresses(this, names.queueBase, destinationIds);
    this.deliveryQueueUrlTemplate = this.#addresses.jobQueueUrlTemplate;
    this.deadLetterQueueUrlTemplate = this.#addresses.deadLetterQueueUrlTemplate;
    this.deadLetterQueueArnTemplate = this.#addresses.deadLetterQueueArnTemplate;
    this.eventsTable = newEventsTable(this, "EventsTable", {
      tableName: names.eventsTable,
      removalPolicy,
      deletionProtection: props.deletionProtection ?? removalPolicy !== RemovalPolicy.DESTROY,
    });
    this.bodyBucket = new BodyBucket(this, "BodyBucket", {
      retention: Duration.seconds(settings.eventRetentionSeconds),
      removalPolicy,
    });
    const environment = {
      [ENV.config]: Stack.of(this).toJsonString(lambdaConfig),
      [ENV.eventsTable]: this.eventsTable.tableName,
      // A template, not a URL per destination: a Lambda's environment holds 4 KB in all (`jobQueueUrl`).
      [ENV.deliveryQueueUrl]: this.deliveryQueueUrlTemplate,
      [ENV.bodyBucket]: this.bodyBucket.bucketName,
    };
    const common = {
      environment,
      logRetention,
      logRemovalPolicy: removalPolicy,
      tracing: props.tracing ?? false,
      platformLogs: props.platformLogs ?? false,
    };
    const intakeTimeout = Duration.seconds(INTAKE_LAMBDA_TIMEOUT_SECONDS);
    const intake = new HandlerFunction(this, "Intake", {
      ...common,
      entry: "lambdas/intake/handler.ts",
      description: "Oncegate intake: verifies, stores and enqueues each webhook once",
      timeout: intakeTimeout,
      memorySize: 512,
      reservedConcurrency: intakeReservedConcurrency({
        reserved: props.intakeReservedConcurrency,
        peakRequestsPerSecond: props.intakePeakRequestsPerSecond ?? sumOfRates(routes),
        p99Latency: props.intakeP99Latency ?? WEBHOOK_GATEWAY_DEFAULTS.intakeP99Latency,
        intakeTimeout,
      }),
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
      // The sweeper's own: it reads the dead jobs to mark their events DEAD (no other function touches the DLQs).
      environment: { ...environment, [ENV.deadLetterQueueUrl]: this.deadLetterQueueUrlTemplate },
      entry: "lambdas/sweeper/handler.ts",
      description: "Oncegate sweeper: re-enqueues events whose intake stopped before enqueueing, reconciles dead jobs",
      // Shorter than the schedule's minute, so two runs rarely overlap (an overlap is harmless, only wasteful).
      timeout: Duration.seconds(50),
      memorySize: 256,
      // A failed run is retried by the next one, a minute later; a run that could not start within its minute
      // (throttled) is dropped rather than run late, on top of the next ones.
      asyncRetryAttempts: 0,
      asyncMaxEventAge: SWEEP_PERIOD,
    });
    this.intakeFunction = intake.lambdaFunction;
    this.deliveryFunction = delivery.lambdaFunction;
    this.sweeperFunction = sweeper.lambdaFunction;

    this.#deliveries = newDestinationDeliveries(this, {
      destinations: settings.destinations,
      queueBase: names.queueBase,
      delivery: this.deliveryFunction,
      deliveryTimeout,
      batchSize,
      batchingWindow: props.deliveryBatchingWindow,
      maxReceiveCount: maxReceiveCountFor(settings.retryScheduleSeconds),
      defaultMaxConcurrency: props.deliveryMaxConcurrency ?? WEBHOOK_GATEWAY_DEFAULTS.deliveryMaxConcurrency,
      removalPolicy,
    });
    const byDestination = <T>(part: (delivery: DestinationDelivery) => T) =>
      new Map(this.#deliveries.map((delivery) => [delivery.id, part(delivery)]));
    this.deliveryQueues = byDestination((delivery) => delivery.queue);
    this.deadLetterQueues = byDestination((delivery) => delivery.deadLetterQueue);
    this.eventSources = byDestination((delivery) => delivery.eventSource);

    const table = this.eventsTable.tableArn;
    allow(intake.role, GATEWAY_ACTIONS.intakeTable, [table]);
    allow(intake.role, GATEWAY_ACTIONS.enqueue, this.#jobQueueArns());
    this.bodyBucket.grantPutBody(intake.role);
    secrets.grantReadTo("provider", intake.role);
    allow(delivery.role, GATEWAY_ACTIONS.deliveryTable, [table]);
    allow(delivery.role, GATEWAY_ACTIONS.deliveryQueue, this.#jobQueueArns());
    this.bodyBucket.grantReadBody(delivery.role);
    secrets.grantReadTo("destination", delivery.role);
    allow(sweeper.role, GATEWAY_ACTIONS.sweeperTable, [table]);
    allow(sweeper.role, GATEWAY_ACTIONS.sweeperIndex, [listIndexArn(this.eventsTable)]);
    allow(sweeper.role, GATEWAY_ACTIONS.enqueue, this.#jobQueueArns());
    allow(sweeper.role, GATEWAY_ACTIONS.sweeperDeadLetters, this.#deadLetterQueueArns());
    newSweepSchedule(this, this.sweeperFunction);

    let edge: IntakeEdge;
    if (edgeKind === "functionUrl") {
      const url = newIntakeFunctionUrl(this.intakeFunction);
      this.intakeFunctionUrl = url.functionUrl;
      edge = url;
    } else {
      const intakeApi = newIntakeApi(this, {
        intake: this.intakeFunction,
        throttle,
        routes,
        domain,
        logRetention,
        logRemovalPolicy: removalPolicy,
      });
      this.api = intakeApi.api;
      this.stage = intakeApi.stage;
      this.accessLogs = intakeApi.accessLogs;
      this.intakeDomain = intakeApi.domainName;
      edge = intakeApi;
    }
    this.intakeUrl = edge.intakeUrl;

    this.alarmTopic = props.alarmTopic ?? newAlarmTopic(this, "AlarmTopic");
    const alarms = new GatewayAlarms(this, "Alarms", {
      topic: this.alarmTopic,
      edge: edge.metrics,
      intake: this.intakeFunction,
      delivery: this.deliveryFunction,
      sweeper: this.sweeperFunction,
      destinations: this.#deliveries,
      oldestMessageAgeThreshold:
        props.oldestJobAlarmThreshold ??
        defaultOldestJobThreshold(settings, WEBHOOK_GATEWAY_DEFAULTS.oldestJobAlarmThreshold),
      intakeServerErrorRatePercent:
        props.intakeServerErrorAlarmPercent ?? WEBHOOK_GATEWAY_DEFAULTS.intakeServerErrorAlarmPercent,
      destinationRetryThreshold:
        props.destinationRetryAlarmThreshold ?? WEBHOOK_GATEWAY_DEFAULTS.destinationRetryAlarmThreshold,
      intakeSignatureRefusalPercent:
        props.intakeSignatureRefusalAlarmPercent ?? WEBHOOK_GATEWAY_DEFAULTS.intakeSignatureRefusalAlarmPercent,
    });
    this.alarms = [...alarms.alarms.values()];
    this.dashboard = newGatewayDashboard(this, "Dashboard", {
      intake: this.intakeFunction,
      delivery: this.deliveryFunction,
      edge: edge.metrics,
      destinations: this.#deliveries,
      alarms: this.alarms,
    });
  }

  /**
   * Lets `grantee` read events and their attempts (GetItem, Query), list them (Query on the listing and problem
   * indexes, BatchGetItem), e.g. an operator's tool.
   */
  grantReadEvents(grantee: IGrantable): Grant {
    return allow(grantee, GATEWAY_ACTIONS.readEvents, [
      this.eventsTable.tableArn,
      ...listingIndexArns(this.eventsTable),
    ]);
  }

  /** Lets `grantee` put delivery jobs (`{ pk, destination }`) on every destination's job queue, e.g. a replay tool. */
  grantEnqueueJobs(grantee: IGrantable): Grant {
    return allow(grantee, GATEWAY_ACTIONS.enqueue, this.#jobQueueArns());
  }

  /**
   * What the operator CLI needs on this gateway's resources, as statements (`operatorPermissions`: the dead-letter
   * queues, sending jobs and reading queue depths, pausing and resuming destinations, events), plus reading bodies.
   * The stack's own `cloudformation:DescribeStacks` is added by the app's `OperatorPolicy`, where the stack is known.
   */
  operateStatements(): PolicyStatement[] {
    return [
      ...this.#operatorPermissions().map(([actions, resources]) => statement(actions, resources)),
      ...this.bodyBucket.readBodyStatements(),
    ];
  }

  /** Lets `grantee` run the operator CLI on this gateway ({@link operateStatements}). */
  grantOperate(grantee: IGrantable): Grant {
    const principal = grantee.grantPrincipal;
    if (Construct.isConstruct(principal)) this.acknowledgeQueuePatterns(principal);
    return this.#operatorPermissions()
      .map(([actions, resources]) => allow(grantee, actions, resources))
      .reduce((all, grant) => all.combine(grant), this.bodyBucket.grantReadBody(grantee));
  }

  /** Lets `grantee` move dead jobs back to their job queues (`aws sqs start-message-move-task`). */
  grantRedriveDeadLetters(grantee: IGrantable): Grant {
    const fromDeadLetters = allow(grantee, GATEWAY_ACTIONS.redriveDeadLetters, this.#deadLetterQueueArns());
    return fromDeadLetters.combine(this.grantEnqueueJobs(grantee));
  }

  /** Acknowledges cdk-nag's IAM5 on `holder` (a managed policy) for the operators' queue patterns. */
  acknowledgeQueuePatterns(holder: Construct): void {
    acknowledgeQueuePatterns(holder, this.#addresses);
  }

  #operatorPermissions() {
    return operatorPermissions({
      addresses: this.#addresses,
      eventSources: [...this.eventSources.values()],
      eventsTable: this.eventsTable,
    });
  }

  #jobQueueArns(): string[] {
    return this.#deliveries.map((delivery) => delivery.queue.queueArn);
  }

  #deadLetterQueueArns(): string[] {
    return this.#deliveries.map((delivery) => delivery.deadLetterQueue.queueArn);
  }
}
