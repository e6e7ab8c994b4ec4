import { Duration } from "aws-cdk-lib";
import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { Alarm, ComparisonOperator, type IMetric, MathExpression, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export interface GatewayAlarmsProps {
  readonly topic: ITopic;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly api: IHttpApi;
  /** The gateway's functions by display name (`Intake`, `Delivery`, `Sweeper`). */
  readonly functions: Readonly<Record<string, IFunction>>;
  readonly oldestMessageAgeThreshold: Duration;
  readonly intakeServerErrorRatePercent: number;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The gateway's alarms, each sending ALARM and OK to the topic. Every description says what broke and what to
 * look at first; the README's "What the alarms mean" says the same at more length.
 */
export class GatewayAlarms extends Construct {
  /** Every alarm, by id. */
  readonly alarms = new Map<string, Alarm>();
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
    this.add("DeadLetters", {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: "Maximum",
      }),
      threshold: 1,
      description:
        "Delivery jobs reached the dead-letter queue: a destination failed every attempt of the retry schedule. " +
        "Fix the destination, then redrive the dead-letter queue into the delivery queue.",
    });
    this.add("OldestDeliveryJob", {
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" }),
      threshold: props.oldestMessageAgeThreshold.toSeconds(),
      description:
        `A delivery job has waited more than ${props.oldestMessageAgeThreshold.toHumanString()} before its third ` +
        "attempt: deliveries are not keeping up (consumer slow, event source concurrency too low, or delivery failing).",
    });
    this.add("IntakeServerErrorRate", {
      metric: new MathExpression({
        expression: "IF(requests > 0, 100 * errors / requests, 0)",
        usingMetrics: {
          errors: props.api.metricServerError({ period: FIVE_MINUTES, statistic: "Sum" }),
          requests: props.api.metricCount({ period: FIVE_MINUTES, statistic: "Sum" }),
        },
        period: FIVE_MINUTES,
        label: "Intake 5xx (% of requests)",
      }),
      threshold: props.intakeServerErrorRatePercent,
      description:
        `More than ${props.intakeServerErrorRatePercent}% of webhooks were answered 5xx: the intake could not store or ` +
        "enqueue them (DynamoDB, SQS or Secrets Manager failing) and providers are retrying. See the intake's logs.",
    });
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, {
        metric: fn.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" }),
        threshold: 1,
        description: `The ${name.toLowerCase()} function threw: usually an invalid configuration or an unreadable secret at cold start. See its logs.`,
      });
      this.add(`${name}Throttles`, {
        metric: fn.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum" }),
        threshold: 1,
        description: `The ${name.toLowerCase()} function was throttled: the account's Lambda concurrency is exhausted.`,
      });
    }
  }

  private add(id: string, spec: { metric: IMetric; threshold: number; description: string }): void {
    const alarm = new Alarm(this, id, {
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means nothing happened: no requests, no dead jobs, no invocations.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: spec.description,
    });
    alarm.addAlarmAction(this.action);
    alarm.addOkAction(this.action);
    this.alarms.set(id, alarm);
  }
}
