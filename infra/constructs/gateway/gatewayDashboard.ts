import { Duration } from "aws-cdk-lib";
import {
  type Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  SingleValueWidget,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { gatewayCount } from "./gatewayMetrics.ts";
import type { IntakeEdgeMetrics } from "./intakeEdge.ts";

export interface GatewayDashboardProps {
  readonly intake: IFunction;
  readonly delivery: IFunction;
  readonly edge: IntakeEdgeMetrics;
  /** Every destination's job queue and dead-letter queue. */
  readonly destinations: readonly { readonly queue: IQueue; readonly deadLetterQueue: IQueue }[];
  readonly alarms: Alarm[];
}

/**
 * `metricOf` over every queue in one line, `combine` (`SUM`, `MAX`) of the queues' series: one line whatever the
 * number of destinations (a line per queue stops being readable past a few). `key` starts the ids of the queues'
 * metrics, which must differ from every other id in the graph.
 */
function overQueues(
  key: string,
  queues: readonly IQueue[],
  combine: "SUM" | "MAX",
  label: string,
  metricOf: (queue: IQueue) => IMetric,
): MathExpression {
  const usingMetrics = Object.fromEntries(queues.map((queue, index) => [`${key}${index}`, metricOf(queue)]));
  return new MathExpression({
    expression: `${combine}([${Object.keys(usingMetrics).join(", ")}])`,
    usingMetrics,
    period: Duration.minutes(1),
    label,
  });
}

/**
 * The gateway at a glance: totals over the chosen time range, the same counts per minute, then the queues (summed
 * over the destinations; each destination's own are in its alarms), the intake's HTTP answers, and the state of
 * every alarm.
 */
export function newGatewayDashboard(scope: Construct, id: string, props: GatewayDashboardProps): Dashboard {
  const incoming = (["Accepted", "Duplicate", "Unrouted"] as const).map((metric) =>
    gatewayCount(metric, props.intake).with({ label: metric }),
  );
  const outcomes = (["Delivered", "Failed", "Dead"] as const).map((metric) =>
    gatewayCount(metric, props.delivery).with({ label: metric }),
  );
  const dashboard = new Dashboard(scope, id, { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(
    new SingleValueWidget({
      title: "Events (total over the time range)",
      metrics: [...incoming, ...outcomes],
      setPeriodToTimeRange: true,
      width: 24,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({ title: "Webhooks received per minute", left: incoming, width: 12 }),
    new GraphWidget({ title: "Delivery outcomes per minute", left: outcomes, width: 12 }),
  );
  const minute = { period: Duration.minutes(1), statistic: "Maximum" };
  const queues = props.destinations.map((destination) => destination.queue);
  const deadLetterQueues = props.destinations.map((destination) => destination.deadLetterQueue);
  dashboard.addWidgets(
    new GraphWidget({
      title: "Delivery queues (all destinations)",
      left: [
        overQueues("waiting", queues, "SUM", "Waiting", (queue) =>
          queue.metricApproximateNumberOfMessagesVisible(minute),
        ),
        overQueues("inFlight", queues, "SUM", "In flight or delayed", (queue) =>
          queue.metricApproximateNumberOfMessagesNotVisible(minute),
        ),
        overQueues("dead", deadLetterQueues, "SUM", "Dead", (queue) =>
          queue.metricApproximateNumberOfMessagesVisible(minute),
        ),
      ],
      right: [
        overQueues("oldest", queues, "MAX", "Oldest job (s)", (queue) =>
          queue.metricApproximateAgeOfOldestMessage(minute),
        ),
      ],
      width: 12,
    }),
    new GraphWidget({
      title: "Intake HTTP answers",
      left: [
        props.edge.requests(Duration.minutes(1)).with({ label: "Requests" }),
        props.edge.clientErrors(Duration.minutes(1)).with({ label: "4xx" }),
        props.edge.serverErrors(Duration.minutes(1)).with({ label: "5xx" }),
      ],
      right: [props.edge.latencyP99(Duration.minutes(1)).with({ label: "Latency p99 (ms)" })],
      width: 12,
    }),
  );
  dashboard.addWidgets(new AlarmStatusWidget({ title: "Alarms", alarms: props.alarms, width: 24 }));
  return dashboard;
}
