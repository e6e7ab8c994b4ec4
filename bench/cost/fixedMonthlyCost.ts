import { DEFAULT_PEAK_EVENTS_PER_SECOND, indexShardCounts } from "../../lambdas/shared/indexShards.ts";
import type { LAMBDA_SIZING } from "./lambdaSizing.ts";
import type { PriceTable } from "./prices.ts";
import type { CostLine } from "./webhookCost.ts";

const MINUTES_PER_MONTH = 730 * 60;

/** What the fixed monthly costs assume: none of these depend on traffic. */
export const FIXED_ASSUMPTIONS = {
  // The sweeper runs every minute; a sweep with nothing to walk reads its watermark, Queries each listing shard (in
  // parallel), saves the watermark and writes a log line. Its reads of each event's entry and state are per event
  // (measured by bench:cost: the "sweeper walk" line of the bill).
  sweeperRunMs: 50,
  sweeperLogBytesPerRun: 700,
  // The watermark's strongly consistent GetItem (1 unit), and a Query per listing shard, eventually consistent: half
  // a unit at least (2 shards at the default peakEventsPerSecond of 1 000; 20 at 10 000 cost 10× that, still cents).
  sweeperReadUnitsPerRun: 1 + 0.5 * indexShardCounts(DEFAULT_PEAK_EVENTS_PER_SECOND).list,
  // The watermark's UpdateItem, an item well under 1 KB.
  sweeperWriteUnitsPerRun: 1,
  // Lambda's SQS event source keeps at least five pollers long-polling (20 s) even when the queue is empty.
  idlePollers: 5,
  longPollsPerPollerMinute: 3,
  // One provider signing secret and one outbound signing secret.
  secrets: 2,
  // The gateway's alarms that do not depend on the destinations (the HTTP API edge; test/infra counts them in the
  // template), and its dashboard.
  gatewayAlarms: 14,
  dashboards: 1,
};

/**
 * What one more destination adds to the month with no traffic: its outbound signing secret and its
 * `DestinationRetries<Id>` alarm today; with a queue of its own (issue 19's isolation: one queue, dead-letter queue
 * and event source per destination) also the event source's idle long polls on that queue, the sweeper's
 * once-a-minute look at its dead-letter queue (`GetQueueAttributes`), and alarms on its oldest job, its dead jobs and
 * its circuit breaker.
 */
export const DESTINATION_ASSUMPTIONS = {
  secrets: 1,
  sharedQueueAlarms: 1,
  ownQueueAlarms: 4,
  deadLetterChecksPerMinute: 1,
};

/** A destination's idle month, with the shared delivery queue (`shared`) and with a queue of its own (`ownQueue`). */
export function destinationMonthlyCost(prices: PriceTable): { shared: CostLine[]; ownQueue: CostLine[] } {
  const a = DESTINATION_ASSUMPTIONS;
  const secret: CostLine = {
    service: "Secrets Manager",
    component: "its outbound signing secret",
    quantity: a.secrets,
    unit: "secret-months",
    usd: a.secrets * prices.secretsManager.perSecretMonth,
  };
  const alarms = (count: number, what: string): CostLine => ({
    service: "CloudWatch",
    component: `alarms (${what})`,
    quantity: count,
    unit: "alarm-months",
    usd: count * prices.cloudWatch.perStandardAlarmMonth,
  });
  const polls = MINUTES_PER_MONTH * FIXED_ASSUMPTIONS.idlePollers * FIXED_ASSUMPTIONS.longPollsPerPollerMinute;
  const checks = MINUTES_PER_MONTH * a.deadLetterChecksPerMinute;
  return {
    shared: [secret, alarms(a.sharedQueueAlarms, "retries")],
    ownQueue: [
      secret,
      alarms(a.ownQueueAlarms, "retries, oldest job, dead jobs, breaker open"),
      {
        service: "SQS",
        component: `its event source's idle long polls (${FIXED_ASSUMPTIONS.idlePollers} pollers)`,
        quantity: polls,
        unit: "requests",
        usd: (polls / 1e6) * prices.sqsStandard.perMillionRequests,
      },
      {
        service: "SQS",
        component: "the sweeper's look at its dead-letter queue, every minute",
        quantity: checks,
        unit: "requests",
        usd: (checks / 1e6) * prices.sqsStandard.perMillionRequests,
      },
    ],
  };
}

/** The month's costs that come whatever the traffic: sweeper, idle polling, alarms and dashboard, secrets. */
export function fixedMonthlyCost(prices: PriceTable, sizing: typeof LAMBDA_SIZING): CostLine[] {
  const a = FIXED_ASSUMPTIONS;
  const runs = MINUTES_PER_MONTH;
  const sweeperGbSeconds = runs * (a.sweeperRunMs / 1000) * (sizing.sweeperMemoryMb / 1024);
  const polls = MINUTES_PER_MONTH * a.idlePollers * a.longPollsPerPollerMinute;
  const logGb = (runs * a.sweeperLogBytesPerRun) / 1024 ** 3;
  // One destination, with its own queue, dead-letter queue and alarms (what every destination has since wave 6).
  const alarms = a.gatewayAlarms + DESTINATION_ASSUMPTIONS.ownQueueAlarms;
  const deadLetterChecks = MINUTES_PER_MONTH * DESTINATION_ASSUMPTIONS.deadLetterChecksPerMinute;
  return [
    {
      service: "Lambda",
      component: `sweeper, every minute (${sizing.sweeperMemoryMb} MB, ${a.sweeperRunMs} ms)`,
      quantity: runs,
      unit: "invocations",
      usd:
        (runs / 1e6) * prices.lambda.perMillionRequests +
        sweeperGbSeconds * prices.lambda.perGbSecond[sizing.architecture],
    },
    {
      service: "DynamoDB",
      component: `sweeper: watermark and listing index queries (${indexShardCounts(DEFAULT_PEAK_EVENTS_PER_SECOND).list} shards)`,
      quantity: runs * a.sweeperReadUnitsPerRun,
      unit: "RRU",
      usd: ((runs * a.sweeperReadUnitsPerRun) / 1e6) * prices.dynamoDbOnDemand.perMillionReadRequestUnits,
    },
    {
      service: "DynamoDB",
      component: "sweeper: watermark writes",
      quantity: runs * a.sweeperWriteUnitsPerRun,
      unit: "WRU",
      usd: ((runs * a.sweeperWriteUnitsPerRun) / 1e6) * prices.dynamoDbOnDemand.perMillionWriteRequestUnits,
    },
    {
      service: "CloudWatch Logs",
      component: "sweeper log lines",
      quantity: logGb,
      unit: "GB",
      usd: logGb * prices.cloudWatchLogs.perGbIngested,
    },
    {
      service: "SQS",
      component: `its event source's idle long polls (${a.idlePollers} pollers on the destination's queue)`,
      quantity: polls,
      unit: "requests",
      usd: (polls / 1e6) * prices.sqsStandard.perMillionRequests,
    },
    {
      service: "CloudWatch",
      component: `alarms (${a.gatewayAlarms} of the gateway, ${DESTINATION_ASSUMPTIONS.ownQueueAlarms} of its one destination)`,
      quantity: alarms,
      unit: "alarm-months",
      usd: alarms * prices.cloudWatch.perStandardAlarmMonth,
    },
    {
      service: "SQS",
      component: "the sweeper's look at the destination's dead-letter queue, every minute",
      quantity: deadLetterChecks,
      unit: "requests",
      usd: (deadLetterChecks / 1e6) * prices.sqsStandard.perMillionRequests,
    },
    {
      service: "CloudWatch",
      component: "dashboard",
      quantity: a.dashboards,
      unit: "dashboard-months",
      usd: a.dashboards * prices.cloudWatch.perDashboardMonth,
    },
    {
      service: "Secrets Manager",
      component: `${a.secrets} secrets`,
      quantity: a.secrets,
      unit: "secret-months",
      usd: a.secrets * prices.secretsManager.perSecretMonth,
    },
  ];
}
