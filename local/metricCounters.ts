import {
  CreateTableCommand,
  type DynamoDBClient,
  QueryCommand,
  ResourceInUseException,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { GATEWAY_METRICS, type GatewayMetric, type MetricCounter } from "../lambdas/shared/metrics.ts";
import { addCount, emptyCounts, type GatewayCountSource, type MetricWindow } from "../ops/metrics/gatewayCounts.ts";

/**
 * The local stack's stand-in for CloudWatch: the gateway's metric counts (what the Lambdas write as EMF lines on
 * AWS) added up per minute in a DynamoDB Local table, which `npm start` writes and `oncegate console --local`, a
 * process of its own, reads. Nothing of it is deployed.
 *
 * Layout: partition key `metric` (the metric's name), sort key `minuteMs` (the minute's start), attribute `count`.
 */

const MINUTE_MS = 60_000;

/** Creates the counters table unless it exists (a restarted stack keeps its counts). */
export async function ensureMetricCountersTable(ddb: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "metric", AttributeType: "S" },
          { AttributeName: "minuteMs", AttributeType: "N" },
        ],
        KeySchema: [
          { AttributeName: "metric", KeyType: "HASH" },
          { AttributeName: "minuteMs", KeyType: "RANGE" },
        ],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

export interface MetricCounterSink {
  /** Adds one to a metric now: what the local Lambdas get as their `countMetric`. */
  count: MetricCounter;
  /** Writes what was counted so far. */
  flush(): Promise<void>;
  /** Stops the timer and writes the rest. */
  stop(): Promise<void>;
}

/**
 * Counts in memory and writes the sums once a second (one `ADD` per metric and minute), so counting adds no write
 * to the hot path: a burst of duplicates costs DynamoDB Local a few writes, not one each. A failed write is put back
 * and tried at the next flush.
 */
export function metricCounterSink(
  ddb: DynamoDBClient,
  tableName: string,
  options: { nowMs?: () => number; flushEveryMs?: number; onError?: (error: unknown) => void } = {},
): MetricCounterSink {
  const nowMs = options.nowMs ?? Date.now;
  let pending = new Map<string, { metric: GatewayMetric; minuteMs: number; count: number }>();
  const add = (metric: GatewayMetric, minuteMs: number, count: number) => {
    const key = `${metric}@${minuteMs}`;
    const entry = pending.get(key) ?? { metric, minuteMs, count: 0 };
    entry.count += count;
    pending.set(key, entry);
  };
  let flushing = Promise.resolve();
  const flush = () => {
    flushing = flushing.then(async () => {
      const taken = [...pending.values()];
      pending = new Map();
      await Promise.all(
        taken.map(({ metric, minuteMs, count }) =>
          ddb
            .send(
              new UpdateItemCommand({
                TableName: tableName,
                Key: { metric: { S: metric }, minuteMs: { N: String(minuteMs) } },
                UpdateExpression: "ADD #count :count",
                ExpressionAttributeNames: { "#count": "count" },
                ExpressionAttributeValues: { ":count": { N: String(count) } },
              }),
            )
            .catch((error) => {
              add(metric, minuteMs, count);
              options.onError?.(error);
            }),
        ),
      );
    });
    return flushing;
  };
  const timer = setInterval(() => void flush(), options.flushEveryMs ?? 1_000);
  timer.unref();
  return {
    count: (metric) => add(metric, Math.floor(nowMs() / MINUTE_MS) * MINUTE_MS, 1),
    flush,
    async stop() {
      clearInterval(timer);
      await flush();
    },
  };
}

/** The counts of the counters table, per bucket of `window` (whole minutes): one Query per metric. */
export function metricCountersSource(ddb: DynamoDBClient, tableName: string): GatewayCountSource {
  return {
    label: `the local stack's per-minute counters (table ${tableName})`,
    async counts(window: MetricWindow) {
      const counts = emptyCounts(window);
      await Promise.all(
        GATEWAY_METRICS.map(async (metric) => {
          let startKey: QueryCommand["input"]["ExclusiveStartKey"];
          do {
            const page = await ddb.send(
              new QueryCommand({
                TableName: tableName,
                KeyConditionExpression: "metric = :metric AND minuteMs BETWEEN :since AND :until",
                ExpressionAttributeValues: {
                  ":metric": { S: metric },
                  ":since": { N: String(window.sinceMs) },
                  ":until": { N: String(window.untilMs - 1) },
                },
                ExclusiveStartKey: startKey,
              }),
            );
            for (const item of page.Items ?? []) {
              addCount(counts, window, metric, Number(item.minuteMs?.N), Number(item.count?.N ?? 0));
            }
            startKey = page.LastEvaluatedKey;
          } while (startKey !== undefined);
        }),
      );
      return counts;
    },
  };
}
