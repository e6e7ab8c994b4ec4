import { Duration } from "aws-cdk-lib";
import { type Alarm, AlarmStatusWidget, Dashboard, GraphWidget, SingleValueWidget } from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { gatewayCount } from "./gatewayMetrics.ts";
import type { IntakeEdgeMetrics } from "./intakeEdge.ts";

export interface GatewayDashboardProps {
  readonly intake: IFunction;
  readonly delivery: IFunction;
  readonly edge: IntakeEdgeMetrics;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
  readonly alarms: Alarm[];
}

/**
 * The gateway at a glance: totals over the chosen time range, the same counts per minute, then the queues, the
 * intake's HTTP answers, and the state of every alarm.
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
  dashboard.addWidgets(
    new GraphWidget({
      title: "Delivery queue",
      left: [
        props.queue.metricApproximateNumberOfMessagesVisible({ ...minute, label: "Waiting" }),
        props.queue.metricApproximateNumberOfMessagesNotVisible({ ...minute, label: "In flight or delayed" }),
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ ...minute, label: "Dead" }),
      ],
      right: [props.queue.metricApproximateAgeOfOldestMessage({ ...minute, label: "Oldest job (s)" })],
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
