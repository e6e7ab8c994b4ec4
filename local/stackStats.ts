import {
  type DynamoDBClient,
  ScanCommand,
  type ScanCommandInput,
  type ScanCommandOutput,
} from "@aws-sdk/client-dynamodb";
import type { FauxqsServer } from "fauxqs";
import type { EventStatus } from "../lambdas/shared/eventRecord.ts";
import type { AwsFaultCounts } from "./awsFaults.ts";
import { readCounter } from "./demoCounters.ts";
import { messageCount } from "./sqsQueues.ts";
import { LOCAL_TABLES } from "./stackResources.ts";

/** What `GET /stats` answers. */
export interface LocalStats {
  /** Charges the demo consumer committed through the SDK's `db` (transactional: at most one per event). */
  charges: number;
  /** Receipts it sent (a non-transactional effect). */
  receipts: number;
  /** Times its handler body started. */
  handlerRuns: number;
  /** Stored events by overall status. */
  events: Record<Lowercase<EventStatus>, number>;
  /** Jobs in the dead-letter queue. */
  dlq: number;
  /** What `ONCEGATE_AWS_FAULTS` injected into the gateway's DynamoDB, SQS and S3 calls, when it is set. */
  awsFaults?: { dynamodb: AwsFaultCounts; sqs: AwsFaultCounts; s3: AwsFaultCounts };
}

/** Where the numbers are read. */
export interface StatsSources {
  ddb: DynamoDBClient;
  sqsServer: FauxqsServer;
  dlqName: string;
}

/** Reads every number with strongly consistent reads, so a settled stack always shows its final counts. */
export async function readStats(sources: StatsSources): Promise<LocalStats> {
  const [charges, receipts, handlerRuns, events] = await Promise.all([
    countCharges(sources.ddb),
    readCounter(sources.ddb, "receipts"),
    readCounter(sources.ddb, "handlerRuns"),
    countEventsByStatus(sources.ddb),
  ]);
  return { charges, receipts, handlerRuns, events, dlq: messageCount(sources.sqsServer, sources.dlqName) };
}

/** Charges the demo consumer committed: the items of `demo_charges`. */
async function countCharges(ddb: DynamoDBClient): Promise<number> {
  let count = 0;
  await scanPages(ddb, { TableName: LOCAL_TABLES.charges, Select: "COUNT" }, (page) => {
    count += page.Count ?? 0;
  });
  return count;
}

async function countEventsByStatus(ddb: DynamoDBClient): Promise<LocalStats["events"]> {
  const counts: LocalStats["events"] = { received: 0, unrouted: 0, queued: 0, delivered: 0, failed: 0, dead: 0 };
  // Only the status, which only state items have (bodies and attempts are items of their own).
  const input = {
    TableName: LOCAL_TABLES.events,
    ProjectionExpression: "#status",
    ExpressionAttributeNames: { "#status": "status" },
  };
  await scanPages(ddb, input, (page) => {
    for (const item of page.Items ?? []) {
      const status = item.status?.S?.toLowerCase();
      if (status !== undefined && status in counts) counts[status as keyof typeof counts] += 1;
    }
  });
  return counts;
}

/** Every page of a strongly consistent Scan (local tables are small: a few pages at most). */
async function scanPages(
  ddb: DynamoDBClient,
  input: ScanCommandInput,
  visit: (page: ScanCommandOutput) => void,
): Promise<void> {
  let start: ScanCommandInput["ExclusiveStartKey"];
  do {
    const page = await ddb.send(new ScanCommand({ ...input, ConsistentRead: true, ExclusiveStartKey: start }));
    visit(page);
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
}
