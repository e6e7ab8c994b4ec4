import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { type Clock, systemClock } from "../shared/clock.ts";
import { ENV } from "../shared/environment.ts";
import { errorCodeOf } from "../shared/errors.ts";
import {
  type EventsTable,
  findStuckReceived,
  hasBody,
  leaveSweepIndex,
  readEvent,
  type StuckEvent,
} from "../shared/eventStore.ts";
import { gatewayDependenciesFromEnvironment } from "../shared/gatewayDependencies.ts";
import { requiredEnvironment } from "../shared/gatewayEnvironment.ts";
import { indexShardCounts } from "../shared/indexShards.ts";
import { jsonLogger, type Logger, roundMs } from "../shared/logger.ts";
import { emfCounterFor } from "../shared/metrics.ts";
import type { ResolvedGatewayConfig } from "../shared/parseGatewayConfig.ts";
import { type QueueEventDependencies, queueEventJobs } from "../shared/queueEventJobs.ts";
import { abandonedBeforeMs } from "../shared/requeuePolicy.ts";
import { type DeadLetterCounts, reconcileDeadLetters } from "./deadLetterPass.ts";

/** What {@link createSweeper} is built from. */
export interface SweeperOptions {
  config: Pick<ResolvedGatewayConfig, "sweepAfterSeconds" | "peakEventsPerSecond">;
  ddb: DynamoDBClient;
  sqs: SQSClient;
  eventsTable: string;
  queueUrl: string;
  /** The delivery queue's dead-letter queue, read by the dead-letter pass (`deadLetterPass.ts`). */
  deadLetterQueueUrl: string;
  /** @default the system clock */
  clock?: Clock;
  /** @default one JSON line per run on stdout */
  logger?: Logger;
  /** Most events handled per run; the next run takes the rest. @default 500 */
  maxPerRun?: number;
  /** Most dead-letter queue messages looked at per run. @default 100 (`DEFAULT_DEAD_LETTERS_PER_RUN`) */
  maxDeadLettersPerRun?: number;
  /**
   * Counts an event it could not re-enqueue, or a dead job it could not reconcile with its event (the swept-event
   * alarm's metric). @default none; inside Lambda, EMF
   */
  countSweepFailed?: () => void;
}

/**
 * Counts of one sweep. `skipped`: found in the (eventually consistent) index but no longer RECEIVED, or gone.
 * `deadLetters`: what the dead-letter pass did.
 * `bodyMissing`: RECEIVED but without its body item (its intake died between the state put and the body put, and
 * answered nothing): left as it is, in the index, for the provider's retry to store the body, or for the TTL.
 */
export interface SweepResult {
  found: number;
  requeued: number;
  skipped: number;
  bodyMissing: number;
  failed: number;
  deadLetters: DeadLetterCounts;
}

/** The sweeper Lambda, run on a schedule by EventBridge (the event itself carries nothing it needs). */
export type Sweeper = (event?: unknown) => Promise<SweepResult>;

const DEFAULT_MAX_PER_RUN = 500;
// Enough in flight to get through a full run well within a minute, few enough not to throttle a small table.
const CONCURRENCY = 10;

/**
 * Builds the sweeper: it finds events still RECEIVED `sweepAfterSeconds` after arrival (their intake invocation
 * died, or SQS refused the jobs) through the sparse sweep index (every shard), re-reads each one strongly
 * consistently, checks that its body is stored, and enqueues its jobs and marks it QUEUED. One event's failure never
 * stops the others; it stays in the index for the next run. Then the dead-letter pass marks DEAD the destinations
 * whose jobs SQS moved to the dead-letter queue without the event saying so (`reconcileDeadLetters`). Logs one line
 * per run with the counts and returns them.
 */
export function createSweeper(options: SweeperOptions): Sweeper {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? jsonLogger;
  const events: EventsTable = { client: options.ddb, tableName: options.eventsTable };
  const queue: QueueEventDependencies = { events, sqs: options.sqs, queueUrl: options.queueUrl, clock };
  const maxPerRun = options.maxPerRun ?? DEFAULT_MAX_PER_RUN;
  const shards = indexShardCounts(options.config.peakEventsPerSecond);

  async function sweepOne({ pk }: StuckEvent): Promise<"requeued" | "skipped" | "bodyMissing" | "failed"> {
    try {
      const item = await readEvent(events, pk);
      if (item === undefined) return "skipped";
      if (item.status !== "RECEIVED") {
        // Settled before its markQueued landed, which left it in the index: take it out.
        await leaveSweepIndex(events, pk);
        return "skipped";
      }
      // An S3 body needs no check (and the sweeper no S3 grant): the intake uploads it BEFORE the state's put, so a
      // state naming one exists only once its object does. Only an inline body is put after the state.
      if (item.body?.kind !== "s3" && !(await hasBody(events, pk))) {
        // Never acknowledged (no 2xx before the body put): nothing to deliver until a retry brings the bytes.
        logger({ level: "warn", msg: "oncegate.sweeper.body_missing", pk });
        return "bodyMissing";
      }
      const { markQueuedError } = await queueEventJobs(queue, item);
      if (markQueuedError) logger({ level: "warn", msg: "oncegate.sweeper.mark_failed", pk, error: markQueuedError });
      return "requeued";
    } catch (error) {
      const code = errorCodeOf(error);
      logger({ level: "error", msg: "oncegate.sweeper.event_failed", pk, error: code });
      options.countSweepFailed?.();
      return "failed";
    }
  }

  return async function sweep(): Promise<SweepResult> {
    const started = performance.now();
    const cutoffMs = abandonedBeforeMs(clock.nowMs(), options.config.sweepAfterSeconds);
    const stuck = await findStuckReceived(events, shards, cutoffMs, maxPerRun);
    const counts = { found: stuck.length, requeued: 0, skipped: 0, bodyMissing: 0, failed: 0 };
    for (let start = 0; start < stuck.length; start += CONCURRENCY) {
      const outcomes = await Promise.all(stuck.slice(start, start + CONCURRENCY).map(sweepOne));
      for (const outcome of outcomes) counts[outcome] += 1;
    }
    const deadLetters = await reconcileDeadLetters({
      sqs: options.sqs,
      deadLetterQueueUrl: options.deadLetterQueueUrl,
      table: { ...events, shards },
      logger,
      maxPerRun: options.maxDeadLettersPerRun,
      countFailed: options.countSweepFailed,
    });
    const result: SweepResult = { ...counts, deadLetters };
    const failed = counts.failed > 0 || deadLetters.failed > 0 || deadLetters.error !== undefined;
    const level = failed ? "error" : "info";
    logger({ level, msg: "oncegate.sweeper", ...result, totalMs: roundMs(performance.now() - started) });
    return result;
  };
}

/**
 * Builds the sweeper from the environment (`ENV`), with the standard AWS clients; `overrides` replace any part.
 * @throws InvalidConfigurationError naming the variable or configuration field
 */
export function sweeperFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<SweeperOptions> = {},
): Sweeper {
  const count = emfCounterFor(env);
  return createSweeper({
    ...gatewayDependenciesFromEnvironment(env),
    deadLetterQueueUrl: requiredEnvironment(env, ENV.deadLetterQueueUrl),
    countSweepFailed: count && (() => count("SweepFailed")),
    ...overrides,
  });
}

let fromEnvironment: Sweeper | undefined;

/** The Lambda entry point (EventBridge schedule), built once per cold start from `process.env`. */
export async function handler(event?: unknown): Promise<SweepResult> {
  fromEnvironment ??= sweeperFromEnvironment(process.env);
  return fromEnvironment(event);
}
