import { strongReadUnitsFor, writeUnitsFor } from "../dynamoItemSize.ts";
import { type CostInputs, capacityAt, type StepInputs } from "./costInputs.ts";
import type { LAMBDA_SIZING } from "./lambdaSizing.ts";
import type { StoredItemSizes } from "./measuredCapacity.ts";
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
  indexWritesPerDelivery: number;
  s3CallMs: number;
  s3StorageExtraDays: number;
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
  // platform.start and platform.report lines of every invocation (450 bytes): none at the gateway's default system
  // log level, WARN (the `platformLogs` prop turns them back on).
  platformLogBytesPerInvocation: 0,
  // eventRetentionSeconds' default (30 days): the steady state holds one month of events.
  retentionDays: 30,
  // DynamoDB bills 100 bytes of indexing overhead per stored item.
  storageOverheadBytesPerItem: 100,
  // A keys-only entry, 1 write unit: the listing index's, when the state is put (its keys never change, so no
  // later update writes it; the sweeper walks it instead of a sweep index of its own).
  indexWritesPerAccepted: 1,
  // A delivery that settles DELIVERED touches no index key (only FAILED and DEAD enter the problem index, one more
  // write each).
  indexWritesPerDelivery: 0,
  // Lambda time one S3 call of a body adds (in-region PUT/GET: ~20–30 ms at p50; the measured durations are of
  // inline 2 KB events, so they do not include it): the intake's PutObject, the delivery's two GetObjects.
  s3CallMs: 25,
  // S3 Standard bills storage by the day, and lifecycle expiry runs at the next midnight UTC after the rule's days.
  s3StorageExtraDays: 1,
};

/** DynamoDB units of one event, as the model prices them from the sizes of its items. */
export interface EventUnits {
  /** The intake's writes for an accepted event, indexes included. */
  intakeWrites: number;
  /** A provider's retry of a QUEUED event: its refused conditional put (DynamoDB bills it; Local reports none). */
  duplicateWrites: number;
  /** Every write of one destination's delivery: `retries` attempts answered 5xx, then the one that delivers. */
  deliveryWrites: number;
  /** Every strongly consistent read of those attempts (each reads the state, and the body to POST it). */
  deliveryReads: number;
}

/**
 * The write and read units of one event with one destination. A write is billed per started KB of the item it
 * touches (an update on the larger of before and after), a strongly consistent read per started 4 KB.
 *
 * Intake: PutItem of the state, PutItem of the body, UpdateItem markQueued, and the index entries. Each attempt
 * of the delivery: GetItem of the state, GetItem of the body; a retried one PutItem of its attempt item and
 * UpdateItem of the state; the delivering one a single UpdateItem that settles destination and event. A body in
 * S3 (`placement: "s3"`) has no item: no body write, no body read (its PutObject and GetObjects are priced as S3
 * requests).
 */
/**
 * The destination's control item (`lambdas/shared/destinationControl.ts`): an eventually consistent read of a small
 * item, at most once a second per delivery container, priced as one per attempt (true below about one job a second
 * per container, an overstatement above); and one write per failed attempt (the breaker's count), none per success.
 */
export const CONTROL_READ_UNITS_PER_JOB = 0.5;
export const CONTROL_WRITE_UNITS_PER_FAILURE = 1;

export function eventUnits(items: StoredItemSizes, retries: number, assumptions: CostAssumptions): EventUnits {
  const wu = writeUnitsFor;
  const inline = items.placement !== "s3";
  const intakeWrites =
    wu(items.acceptedState) +
    (inline ? wu(items.body) : 0) +
    wu(Math.max(items.acceptedState, items.queuedState)) +
    assumptions.indexWritesPerAccepted;
  let deliveryWrites = 0;
  let deliveryReads = 0;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    const before = attempt === 1 ? items.queuedState : items.retriedState;
    deliveryReads += strongReadUnitsFor(before) + (inline ? strongReadUnitsFor(items.body) : 0);
    if (attempt <= retries) deliveryWrites += wu(items.attempt) + wu(Math.max(before, items.retriedState));
    else {
      const after = retries === 0 ? items.deliveredState : items.deliveredAfterRetryState;
      deliveryWrites += wu(Math.max(before, after)) + assumptions.indexWritesPerDelivery;
    }
  }
  return {
    intakeWrites,
    duplicateWrites: wu(Math.max(items.acceptedState, items.queuedState)),
    deliveryWrites,
    deliveryReads,
  };
}

/** The steps whose requests the model prices. */
export type ModelledStep = "accepted" | "duplicate" | "firstTry" | "retried" | "deliveredAfterRetry";

/**
 * The requests `eventUnits` and `costPerMillion` price, per step and body placement: a change of the code's calls
 * must change the model too (`bench:cost` checks the counted requests against these). A body in S3: one PutObject
 * before the claim (a duplicate rewrites the same content-addressed object: it does not know yet that it is one),
 * no body item; two GetObjects per attempt (one streamed to sign, one streamed to POST), no body GetItem.
 */
export const MODELLED_REQUESTS: Record<"inline" | "s3", Record<ModelledStep, Readonly<Record<string, number>>>> = {
  inline: {
    accepted: { PutItem: 2, SendMessageBatch: 1, UpdateItem: 1 },
    duplicate: { PutItem: 1 },
    firstTry: { GetItem: 2, UpdateItem: 1 },
    retried: { GetItem: 2, PutItem: 1, UpdateItem: 1, ChangeMessageVisibility: 1 },
    deliveredAfterRetry: { GetItem: 2, UpdateItem: 1 },
  },
  s3: {
    accepted: { PutObject: 1, PutItem: 1, SendMessageBatch: 1, UpdateItem: 1 },
    duplicate: { PutObject: 1, PutItem: 1 },
    firstTry: { GetItem: 1, GetObject: 2, UpdateItem: 1 },
    retried: { GetItem: 1, GetObject: 2, PutItem: 1, UpdateItem: 1, ChangeMessageVisibility: 1 },
    deliveredAfterRetry: { GetItem: 1, GetObject: 2, UpdateItem: 1 },
  },
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
  const measured = capacityAt(inputs.capacity, scenario.bodyBytes);
  const items = measured.items;
  const inline = items.placement !== "s3";
  const units = eventUnits(items, r, assumptions);
  const api = (step: { requests: { byApi: Record<string, number> } }, name: string) => step.requests.byApi[name] ?? 0;
  const billedMs = (ms: number) =>
    Math.ceil(ms / prices.lambda.billingGranularityMs) * prices.lambda.billingGranularityMs;
  const gbSeconds = (ms: number, memoryMb: number) => (billedMs(ms) / 1000) * (memoryMb / 1024);

  const attempts = jobs * (r + 1);
  const invocations = { intake: MILLION * (1 + d), delivery: attempts / assumptions.eventSourceBatchSize };
  // S3 requests of this body size, as counted (none for an inline body), and the Lambda time they add.
  const s3Puts = { accepted: api(measured.accepted, "PutObject"), duplicate: api(measured.duplicate, "PutObject") };
  const s3Gets = { retried: api(measured.retried, "GetObject"), delivered: api(measured.firstTry, "GetObject") };
  const s3Ms = (calls: number) => calls * assumptions.s3CallMs;
  const intakeGbSeconds =
    MILLION * gbSeconds(intake.accepted.durationMs + s3Ms(s3Puts.accepted), sizing.intakeMemoryMb) +
    MILLION * d * gbSeconds(intake.duplicate.durationMs + s3Ms(s3Puts.duplicate), sizing.intakeMemoryMb);
  const deliveryMs = (step: StepInputs, gets: number) =>
    step.durationMs + s3Ms(gets) + assumptions.destinationLatencyMs;
  const deliveryGbSeconds =
    jobs * r * gbSeconds(deliveryMs(delivery.retried, s3Gets.retried), sizing.deliveryMemoryMb) +
    jobs * gbSeconds(deliveryMs(delivery.delivered, s3Gets.delivered), sizing.deliveryMemoryMb);
  const intakeWrites = MILLION * units.intakeWrites + MILLION * d * units.duplicateWrites;
  const logLine = (bytes: number) => bytes + assumptions.logWrapperBytes + assumptions.platformLogBytesPerInvocation;
  // A plain duplicate's line is written at `debug`, which Lambda drops at the deployed INFO level: only its
  // platform lines are ingested.
  const logBytes =
    MILLION * logLine(intake.accepted.logBytes) +
    MILLION * d * assumptions.platformLogBytesPerInvocation +
    jobs * r * logLine(delivery.retried.logBytes) +
    jobs * logLine(delivery.delivered.logBytes);
  // One state, one body (unless in S3) and an item per retried attempt, each with DynamoDB's per-item overhead.
  const finalState = r === 0 ? items.deliveredState : items.deliveredAfterRetryState;
  const storedItems = 1 + (inline ? 1 : 0) + r;
  const storedBytesPerEvent =
    finalState + items.body + r * items.attempt + storedItems * assumptions.storageOverheadBytesPerItem;
  const storedGb = (MILLION * storedBytesPerEvent * (assumptions.retentionDays / 30)) / GIB;
  // One object per event (a duplicate rewrites the same key), kept for the retention and the day expiry takes.
  const s3StoredGb = inline
    ? 0
    : (MILLION * items.storedBody * ((assumptions.retentionDays + assumptions.s3StorageExtraDays) / 30)) / GIB;

  const p = prices;
  const ddb = p.dynamoDbOnDemand;
  const perRequest = (perMillion: number) => perMillion / MILLION;
  const lambdaGbSecond = p.lambda.perGbSecond[sizing.architecture];
  const sqsRequest = perRequest(p.sqsStandard.perMillionRequests);
  const writeUnit = perRequest(ddb.perMillionWriteRequestUnits);
  const readUnit = perRequest(ddb.perMillionReadRequestUnits);
  const s3 = p.s3Standard;
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
    [
      "DynamoDB",
      `intake writes (state, ${inline ? "body, " : ""}markQueued, listing index)`,
      intakeWrites,
      "WRU",
      writeUnit,
    ],
    [
      "DynamoDB",
      `replay marker writes (opt-in replayWindowSeconds, ${scenario.replayWindow ? "on" : "off"})`,
      scenario.replayWindow ? MILLION * (1 + d) * REPLAY_MARKER_WRITE_UNITS : 0,
      "WRU",
      writeUnit,
    ],
    ["DynamoDB", "delivery writes", jobs * units.deliveryWrites, "WRU", writeUnit],
    ["DynamoDB", "delivery reads (strongly consistent)", jobs * units.deliveryReads, "RRU", readUnit],
    [
      "DynamoDB",
      "destination control reads (pause, breaker: at most one per attempt)",
      attempts * CONTROL_READ_UNITS_PER_JOB,
      "RRU",
      readUnit,
    ],
    [
      "DynamoDB",
      "destination control writes (one per failed attempt)",
      jobs * r * CONTROL_WRITE_UNITS_PER_FAILURE,
      "WRU",
      writeUnit,
    ],
    [
      "DynamoDB",
      "sweeper walk (listing index entry + state, eventually consistent)",
      MILLION * measured.swept.capacity.readUnits,
      "RRU",
      readUnit,
    ],
    ["DynamoDB", `storage (${assumptions.retentionDays}-day retention)`, storedGb, "GB-month", ddb.storagePerGbMonth],
    [
      "S3",
      "body PutObject (bodies over the inline limit)",
      MILLION * (s3Puts.accepted + d * s3Puts.duplicate),
      "requests",
      s3.perThousandPutRequests / 1000,
    ],
    [
      "S3",
      "body GetObject (2 per attempt: sign, POST)",
      jobs * (r * s3Gets.retried + s3Gets.delivered),
      "requests",
      s3.perThousandGetRequests / 1000,
    ],
    [
      "S3",
      `body storage (${assumptions.retentionDays}+${assumptions.s3StorageExtraDays} days)`,
      s3StoredGb,
      "GB-month",
      s3.storagePerGbMonth,
    ],
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
