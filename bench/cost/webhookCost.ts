import { strongReadUnitsFor, writeUnitsFor } from "../dynamoItemSize.ts";
import type { CostInputs } from "./costInputs.ts";
import type { LAMBDA_SIZING } from "./lambdaSizing.ts";
import type { PriceTable } from "./prices.ts";

/** What varies between the model's scenarios. */
export interface CostScenario {
  bodyBytes: number;
  /** Provider retries of already accepted events, per accepted event (0.2 = one in five sent twice). */
  duplicatesPerAccepted: number;
  /** Failed delivery attempts (consumer 5xx, timeout) before the one that succeeds. */
  retriesPerDelivery: number;
  destinations: number;
  /**
   * The provider's opt-in `replayWindowSeconds`: one more conditional write per request, accepted or duplicate (a
   * marker of a digest, well under 1 KB: 1 WRU). @default false
   */
  replayWindow?: boolean;
  /** What providers POST to (`intakeEdge`): the function URL has no per-request charge of its own. @default "httpApi" */
  edge?: "httpApi" | "functionUrl";
}

/** Write units of one replay marker (`replay#provider#digest`, its event key and expiry): under 1 KB. */
export const REPLAY_MARKER_WRITE_UNITS = 1;

/** What the model assumes and does not measure, each stated with its reason in `DEFAULT_ASSUMPTIONS`. */
export interface CostAssumptions {
  destinationLatencyMs: number;
  eventSourceBatchSize: number;
  outboundHeaderBytes: number;
  logWrapperBytes: number;
  platformLogBytesPerInvocation: number;
  retentionDays: number;
  storageOverheadBytesPerItem: number;
  indexWritesPerAccepted: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  // The consumer's answer time is billed to the delivery Lambda, which waits for it.
  destinationLatencyMs: 100,
  // At a million webhooks a month (0.4 a second) the SQS event source hands over one message per batch.
  eventSourceBatchSize: 1,
  // Idempotency-Key, Standard Webhooks signature and timestamp, content type, Oncegate-* headers.
  outboundHeaderBytes: 700,
  // Lambda's JSON log format wraps each line with timestamp, level and request id.
  logWrapperBytes: 120,
  // platform.start and platform.report lines of every invocation.
  platformLogBytesPerInvocation: 450,
  // eventRetentionSeconds' default (30 days): the steady state holds one month of events.
  retentionDays: 30,
  // DynamoDB bills 100 bytes of indexing overhead per stored item.
  storageOverheadBytesPerItem: 100,
  // The sparse sweep index: one keys-only write when the event is stored, one when it leaves RECEIVED.
  indexWritesPerAccepted: 2,
};

/** One line of the bill, per million accepted webhooks. */
export interface CostLine {
  service: string;
  component: string;
  quantity: number;
  unit: string;
  usd: number;
}

const MILLION = 1_000_000;
const GIB = 1024 ** 3;

/** The bill of a million accepted webhooks, line by line. */
export function costPerMillion(
  inputs: CostInputs,
  prices: PriceTable,
  sizing: typeof LAMBDA_SIZING,
  scenario: CostScenario,
  assumptions: CostAssumptions = DEFAULT_ASSUMPTIONS,
): CostLine[] {
  const { intake, delivery } = inputs;
  const d = scenario.duplicatesPerAccepted;
  const r = scenario.retriesPerDelivery;
  const jobs = MILLION * scenario.destinations;
  const item = scenario.bodyBytes + inputs.itemOverheadBytes;
  const grown = (attempts: number) => item + attempts * inputs.attemptGrowthBytes;
  const api = (step: { requests: { byApi: Record<string, number> } }, name: string) => step.requests.byApi[name] ?? 0;
  const billedMs = (ms: number) =>
    Math.ceil(ms / prices.lambda.billingGranularityMs) * prices.lambda.billingGranularityMs;
  const gbSeconds = (ms: number, memoryMb: number) => (billedMs(ms) / 1000) * (memoryMb / 1024);

  // Delivery attempts of one job: r retried ones, then the delivered one.
  let deliveryWrites = 0;
  let deliveryReads = 0;
  for (let attempt = 1; attempt <= r + 1; attempt++) {
    const step = attempt <= r ? delivery.retried : delivery.delivered;
    deliveryReads += api(step, "GetItem") * strongReadUnitsFor(grown(attempt - 1));
    deliveryWrites += api(step, "UpdateItem") * writeUnitsFor(grown(attempt));
  }
  const attempts = jobs * (r + 1);
  const invocations = { intake: MILLION * (1 + d), delivery: attempts / assumptions.eventSourceBatchSize };
  const intakeGbSeconds =
    MILLION * gbSeconds(intake.accepted.durationMs, sizing.intakeMemoryMb) +
    MILLION * d * gbSeconds(intake.duplicate.durationMs, sizing.intakeMemoryMb);
  const deliveryGbSeconds =
    jobs * r * gbSeconds(delivery.retried.durationMs + assumptions.destinationLatencyMs, sizing.deliveryMemoryMb) +
    jobs * gbSeconds(delivery.delivered.durationMs + assumptions.destinationLatencyMs, sizing.deliveryMemoryMb);
  const intakeWrites =
    MILLION * ((api(intake.accepted, "PutItem") + api(intake.accepted, "UpdateItem")) * writeUnitsFor(item)) +
    MILLION * assumptions.indexWritesPerAccepted +
    // A duplicate's refused conditional put is billed as a write of the stored item.
    MILLION * d * api(intake.duplicate, "PutItem") * writeUnitsFor(item);
  const logLine = (bytes: number) => bytes + assumptions.logWrapperBytes + assumptions.platformLogBytesPerInvocation;
  // A plain duplicate's line is written at `debug`, which Lambda drops at the deployed INFO level: only its
  // platform lines are ingested.
  const logBytes =
    MILLION * logLine(intake.accepted.logBytes) +
    MILLION * d * assumptions.platformLogBytesPerInvocation +
    jobs * r * logLine(delivery.retried.logBytes) +
    jobs * logLine(delivery.delivered.logBytes);
  const storedGb =
    (MILLION * (grown(r + 1) + assumptions.storageOverheadBytesPerItem) * (assumptions.retentionDays / 30)) / GIB;

  const p = prices;
  const ddb = p.dynamoDbOnDemand;
  const perRequest = (perMillion: number) => perMillion / MILLION;
  const lambdaGbSecond = p.lambda.perGbSecond[sizing.architecture];
  const sqsRequest = perRequest(p.sqsStandard.perMillionRequests);
  const writeUnit = perRequest(ddb.perMillionWriteRequestUnits);
  const readUnit = perRequest(ddb.perMillionReadRequestUnits);
  const apiRequests =
    scenario.edge === "functionUrl"
      ? 0
      : invocations.intake * Math.ceil(scenario.bodyBytes / p.apiGatewayHttpApi.requestIncrementBytes);
  const enqueues = MILLION * api(intake.accepted, "SendMessageBatch") * Math.ceil(scenario.destinations / 10);
  const eventSource = attempts / assumptions.eventSourceBatchSize + jobs / assumptions.eventSourceBatchSize;
  const visibilityChanges = jobs * r * api(delivery.retried, "ChangeMessageVisibility");
  const transferGb = (attempts * (scenario.bodyBytes + assumptions.outboundHeaderBytes)) / GIB;
  const lambdaRequests = invocations.intake + invocations.delivery;
  // service, component, quantity, unit, USD per unit
  const rows: [string, string, number, string, number][] = [
    ["API Gateway", "HTTP API requests", apiRequests, "requests", perRequest(p.apiGatewayHttpApi.perMillionRequests)],
    ["Lambda", "requests (intake + delivery)", lambdaRequests, "requests", perRequest(p.lambda.perMillionRequests)],
    ["Lambda", `intake duration (${sizing.intakeMemoryMb} MB)`, intakeGbSeconds, "GB-s", lambdaGbSecond],
    ["Lambda", `delivery duration (${sizing.deliveryMemoryMb} MB)`, deliveryGbSeconds, "GB-s", lambdaGbSecond],
    ["DynamoDB", "intake writes (table + sweep index)", intakeWrites, "WRU", writeUnit],
    [
      "DynamoDB",
      `replay marker writes (opt-in replayWindowSeconds, ${scenario.replayWindow ? "on" : "off"})`,
      scenario.replayWindow ? MILLION * (1 + d) * REPLAY_MARKER_WRITE_UNITS : 0,
      "WRU",
      writeUnit,
    ],
    ["DynamoDB", "delivery writes", jobs * deliveryWrites, "WRU", writeUnit],
    ["DynamoDB", "delivery reads (strongly consistent)", jobs * deliveryReads, "RRU", readUnit],
    ["DynamoDB", `storage (${assumptions.retentionDays}-day retention)`, storedGb, "GB-month", ddb.storagePerGbMonth],
    ["SQS", "enqueue (SendMessageBatch)", enqueues, "requests", sqsRequest],
    ["SQS", "event source receive + delete", eventSource, "requests", sqsRequest],
    ["SQS", "retry delays (ChangeMessageVisibility)", visibilityChanges, "requests", sqsRequest],
    ["CloudWatch Logs", "ingestion", logBytes / GIB, "GB", p.cloudWatchLogs.perGbIngested],
    ["Data transfer", "out to consumers", transferGb, "GB", p.dataTransferOut.perGb],
  ];
  return rows.map(([service, component, quantity, unit, unitUsd]) => ({
    service,
    component,
    quantity,
    unit,
    usd: quantity * unitUsd,
  }));
}

export function totalUsd(lines: readonly CostLine[]): number {
  return lines.reduce((sum, costLine) => sum + costLine.usd, 0);
}
