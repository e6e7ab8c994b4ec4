import { Duration } from "aws-cdk-lib";
import { MathExpression } from "aws-cdk-lib/aws-cloudwatch";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { DESTINATION_DIMENSION } from "../../../lambdas/shared/metrics.ts";
import { pascalCase } from "../names.ts";
import type { AlarmSpec } from "./gatewayAlarms.ts";
import { gatewayCount } from "./gatewayMetrics.ts";

/** One destination, as its alarms see it: its id, its job queue and its dead-letter queue. */
export interface AlarmedDestination {
  readonly id: string;
  readonly queue: IQueue;
  readonly deadLetterQueue: IQueue;
}

export interface DestinationAlarmSettings {
  readonly delivery: IFunction;
  readonly oldestMessageAgeThreshold: Duration;
  readonly retryThreshold: number;
}

const FIVE_MINUTES = Duration.minutes(5);
const FIFTEEN_MINUTES = Duration.minutes(15);

/**
 * The four alarms of one destination, by alarm id: its retries, its oldest job, its dead-letter queue and its
 * circuit breaker. Each watches that destination alone, so the alarm names the destination that needs looking at.
 */
export function destinationAlarmSpecs(
  destination: AlarmedDestination,
  settings: DestinationAlarmSettings,
): Record<string, AlarmSpec> {
  const { id, queue, deadLetterQueue } = destination;
  const minute = { period: Duration.minutes(1), statistic: "Maximum" };
  const own = { [DESTINATION_DIMENSION]: id };
  const suffix = pascalCase(id);
  return {
    [`DestinationRetries${suffix}`]: {
      metric: gatewayCount("Retried", settings.delivery, FIFTEEN_MINUTES, own),
      threshold: settings.retryThreshold,
      description:
        `Destination "${id}" needed ${settings.retryThreshold} or more retries in 15 minutes: it is down or failing ` +
        "(5xx, 429, timeouts). Its jobs wait in its queue and die after the whole retry schedule.",
    },
    [`DestinationOldestJob${suffix}`]: {
      metric: queue.metricApproximateAgeOfOldestMessage({ period: FIVE_MINUTES, statistic: "Maximum" }),
      threshold: settings.oldestMessageAgeThreshold.toSeconds(),
      description:
        `A job of destination "${id}" has waited more than ${settings.oldestMessageAgeThreshold.toHumanString()} ` +
        "before its third attempt: its deliveries are not keeping up (consumer slow, its maxConcurrency too low, " +
        "delivery failing), or it is paused (its event source disabled). Jobs wait 14 days at most.",
    },
    [`DestinationDeadLetters${suffix}`]: {
      // In flight counts too: the sweeper's dead-letter pass (like an operator's poll) hides the jobs it reads for a
      // few seconds each minute, and a sample taken then would read an empty queue and flap the alarm to OK.
      metric: new MathExpression({
        expression: "visible + inFlight",
        usingMetrics: {
          visible: deadLetterQueue.metricApproximateNumberOfMessagesVisible(minute),
          inFlight: deadLetterQueue.metricApproximateNumberOfMessagesNotVisible(minute),
        },
        period: Duration.minutes(1),
        label: `Dead-letter queue depth of ${id} (visible and in flight)`,
      }),
      threshold: 1,
      description:
        `Jobs of destination "${id}" are in its dead-letter queue: it failed every attempt of the retry schedule. ` +
        "Fix the destination, then redrive its dead-letter queue into its job queue.",
    },
    [`DestinationCircuitOpen${suffix}`]: {
      metric: gatewayCount("CircuitOpened", settings.delivery, FIVE_MINUTES, own),
      threshold: 1,
      description:
        `The circuit breaker of destination "${id}" opened: it kept failing, so its jobs wait in its queue while the ` +
        "delivery probes it now and then. The other destinations are not held up. See the delivery's logs.",
    },
  };
}
