import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, type IMetric, MathExpression, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import type { RejectionCode } from "../../../lambdas/intake/httpAnswers.ts";
import { REASON_DIMENSION } from "../../../lambdas/shared/metrics.ts";
import { type AlarmedDestination, destinationAlarmSpecs } from "./destinationAlarms.ts";
import { gatewayCount } from "./gatewayMetrics.ts";
import type { IntakeEdgeMetrics } from "./intakeEdge.ts";

export interface GatewayAlarmsProps {
  readonly topic: ITopic;
  /** The edge providers POST to (HTTP API or function URL). */
  readonly edge: IntakeEdgeMetrics;
  readonly intake: IFunction;
  readonly delivery: IFunction;
  readonly sweeper: IFunction;
  /** The configured destinations with their queues: four alarms each (`destinationAlarmSpecs`). */
  readonly destinations: readonly AlarmedDestination[];
  readonly oldestMessageAgeThreshold: Duration;
  readonly intakeServerErrorRatePercent: number;
  readonly destinationRetryThreshold: number;
  readonly intakeSignatureRefusalPercent: number;
}

// A provider whose secret is wrong or still the generated placeholder gets one of these for every webhook.
const SIGNATURE_REFUSALS: readonly RejectionCode[] = ["invalid_signature", "stale_timestamp"];
// Refusals of what a provider sent: each is a real event lost (the provider gets the same answer on every retry).
const CONTENT_REFUSALS: readonly RejectionCode[] = [
  "payload_too_large",
  "missing_event_id",
  "malformed_payload",
  "invalid_event_id",
];
// Below this many requests in 5 minutes, a share means little (two stray requests would be 100%).
const MIN_REQUESTS_FOR_A_RATE = 5;

/** One alarm: what it watches and when it fires; missing data means "nothing happened" unless said otherwise. */
export interface AlarmSpec {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly description: string;
  /** @default GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparisonOperator?: ComparisonOperator;
  /** @default NOT_BREACHING: no requests, no dead jobs, no invocations */
  readonly treatMissingData?: TreatMissingData;
  /** Periods that must all breach. @default 1 */
  readonly evaluationPeriods?: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The gateway's alarms, each sending ALARM and OK to the topic. Every description says what broke and what to
 * look at first; the README's "What the alarms mean" says the same, with what each cannot see.
 */
export class GatewayAlarms extends Construct {
  /** Every alarm, by id. */
  readonly alarms = new Map<string, Alarm>();
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    this.addDeliveryAlarms(props);
    this.addIntakeAlarms(props);
    this.addSweeperAlarms(props);
    const functions = { Intake: props.intake, Delivery: props.delivery, Sweeper: props.sweeper };
    for (const [name, fn] of Object.entries(functions)) {
      this.add(`${name}Errors`, {
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" }),
        threshold: 1,
        description: `The ${name.toLowerCase()} function threw: usually an invalid configuration or an unreadable secret at cold start. See its logs.`,
      });
      this.add(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum" }),
        threshold: 1,
        description: `The ${name.toLowerCase()} function was throttled: its reserved concurrency or the account's Lambda concurrency is exhausted.`,
      });
    }
  }

  /** Adds an alarm notifying the topic of ALARM and OK. */
  add(id: string, spec: AlarmSpec): Alarm {
    const alarm = new Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods ?? 1,
      // Every evaluated period must breach: "M of N" would be a different alarm than its description says.
      datapointsToAlarm: spec.evaluationPeriods,
      comparisonOperator: spec.comparisonOperator ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: spec.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.set(id, alarm);
    return alarm;
  }

  private addDeliveryAlarms(props: GatewayAlarmsProps): void {
    // A dead-letter queue's depth stays in ALARM until it is drained: a second incident would not notify. The count
    // of new dead jobs does, every time.
    this.add("DeadJobs", {
      metric: gatewayCount("Dead", props.delivery, FIVE_MINUTES),
      threshold: 1,
      description:
        "New delivery jobs died in the last 5 minutes (every attempt failed): they are in their destination's " +
        "dead-letter queue (DestinationDeadLetters<Id> says which). Fix the destination, then redrive.",
    });
    this.add("DeliveryFailed", {
      metric: gatewayCount("Failed", props.delivery, FIVE_MINUTES),
      threshold: 1,
      description:
        "A delivery failed for good (the consumer answered 400, 401, 403, 404, 410…, or the destination is unknown): " +
        "the job is not retried and not in the dead-letter queue. See the delivery's logs for the destination and status.",
    });
    const settings = {
      delivery: props.delivery,
      oldestMessageAgeThreshold: props.oldestMessageAgeThreshold,
      retryThreshold: props.destinationRetryThreshold,
    };
    for (const destination of props.destinations) {
      for (const [id, spec] of Object.entries(destinationAlarmSpecs(destination, settings))) this.add(id, spec);
    }
  }

  private addSweeperAlarms(props: GatewayAlarmsProps): void {
    // Lambda publishes Invocations only when there are some: a stopped schedule is missing data, hence breaching.
    this.add("SweeperInvocations", {
      metric: props.sweeper.metricInvocations({ period: FIVE_MINUTES, statistic: "Sum" }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.BREACHING,
      evaluationPeriods: 2,
      description:
        "The sweeper has not run for 10 minutes (it runs every minute): its EventBridge rule is disabled or deleted, " +
        "or its runs are throttled. Events whose intake died before enqueueing stay undelivered until it runs.",
    });
    this.add("SweptEventErrors", {
      metric: gatewayCount("SweepFailed", props.sweeper, FIVE_MINUTES),
      threshold: 1,
      description:
        "The sweeper could not re-enqueue events stuck before enqueueing, or could not mark DEAD the events of jobs " +
        "in the dead-letter queues (SQS or DynamoDB failing). It tries again every minute; see its " +
        "oncegate.sweeper.event_failed, dead_letter_failed and dead_letters_failed log lines.",
    });
  }

  private addIntakeAlarms(props: GatewayAlarmsProps): void {
    const requests = props.edge.requests(FIVE_MINUTES);
    this.add("IntakeServerErrorRate", {
      metric: new MathExpression({
        expression: "IF(requests > 0, 100 * errors / requests, 0)",
        usingMetrics: { errors: props.edge.serverErrors(FIVE_MINUTES), requests },
        period: FIVE_MINUTES,
        label: "Intake 5xx (% of requests)",
      }),
      threshold: props.intakeServerErrorRatePercent,
      description:
        `More than ${props.intakeServerErrorRatePercent}% of webhooks were answered 5xx: the intake could not store or ` +
        "enqueue them (DynamoDB, SQS or Secrets Manager failing) and providers are retrying. See the intake's logs.",
    });
    const refusals = (codes: readonly RejectionCode[]) =>
      Object.fromEntries(
        codes.map((code) => [code, gatewayCount("Rejected", props.intake, FIVE_MINUTES, { [REASON_DIMENSION]: code })]),
      );
    // A refusal code with no refusal has no data point: FILL makes it a zero instead of dropping the whole sum.
    const filledSum = (codes: readonly RejectionCode[]) => codes.map((code) => `FILL(${code}, 0)`).join(" + ");
    this.add("IntakeSignatureRefusals", {
      metric: new MathExpression({
        expression: `IF(requests >= ${MIN_REQUESTS_FOR_A_RATE}, 100 * (${filledSum(SIGNATURE_REFUSALS)}) / requests, 0)`,
        usingMetrics: { ...refusals(SIGNATURE_REFUSALS), requests },
        period: FIVE_MINUTES,
        label: "Intake signature refusals (% of requests)",
      }),
      threshold: props.intakeSignatureRefusalPercent,
      description:
        `${props.intakeSignatureRefusalPercent}% or more of the webhooks were refused 401 (invalid signature or stale ` +
        "timestamp): a provider's secret is wrong or still the generated one. GitHub does not redeliver by itself.",
    });
    this.add("IntakeContentRefusals", {
      metric: new MathExpression({
        expression: filledSum(CONTENT_REFUSALS),
        usingMetrics: refusals(CONTENT_REFUSALS),
        period: FIVE_MINUTES,
        label: "Intake content refusals",
      }),
      threshold: 1,
      description:
        "Webhooks were refused for what they carry (413 body too large, 400 no event id, malformed payload): each is " +
        "an event lost, refused again on every retry. See the intake's logs for the provider and the code.",
    });
    this.add("IntakeThrottled", {
      metric: props.edge.throttled,
      threshold: 1,
      description: props.edge.throttledDescription,
    });
  }
}
