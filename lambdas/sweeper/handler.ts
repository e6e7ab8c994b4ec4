import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import { type Clock, systemClock } from "../shared/clock.ts";
import { deadLetterQueuesOf } from "../shared/deadLetterQueues.ts";
import { ENV } from "../shared/environment.ts";
import { errorCodeOf } from "../shared/errors.ts";
import { type IndexKey, statesOf, walkIndex } from "../shared/eventListing.ts";
import { type EventsTable, hasBody, readEvent } from "../shared/eventStore.ts";
import { gatewayDependenciesFromEnvironment } from "../shared/gatewayDependencies.ts";
import { requiredEnvironment } from "../shared/gatewayEnvironment.ts";
import { indexShardCounts } from "../shared/indexShards.ts";
import { checkedJobQueueUrl } from "../shared/jobQueueUrl.ts";
import { jsonLogger, type Logger, roundMs } from "../shared/logger.ts";
import { emfCounterFor } from "../shared/metrics.ts";
import type { ResolvedDestinationConfig, ResolvedGatewayConfig } from "../shared/parseGatewayConfig.ts";
import { type QueueEventDependencies, queueEventJobs } from "../shared/queueEventJobs.ts";
import { abandonedBeforeMs } from "../shared/requeuePolicy.ts";
import type { DeadLetterCounts } from "./deadLetterPass.ts";
import { reconcileEveryDeadLetterQueue } from "./deadLetterQueuesPass.ts";
import { type SweepOutcome, type SweepWalkResult, walkAbandoned } from "./sweepWalk.ts";
import { advanceWatermark, readWatermark } from "./sweepWatermark.ts";

/** What {@link createSweeper} is built from. */
export interface SweeperOptions {
  config: Pick<ResolvedGatewayConfig, "sweepAfterSeconds" | "peakEventsPerSecond" | "eventRetentionSeconds"> & {
    /** The configured destinations: whose dead-letter queues a template names. @default none */
    destinations?: readonly Pick<ResolvedDestinationConfig, "id">[];
  };
  ddb: DynamoDBClient;
  sqs: SQSClient;
  eventsTable: string;
  queueUrl: string;
  /**
   * The job queues' dead-letter queue, read by the dead-letter pass (`deadLetterQueuesPass.ts`): one shared queue's
   * URL, or a template naming each configured destination's own (`{destination}` in the queue's name, as
   * `jobQueueUrl`'s).
   */
  deadLetterQueueUrl: string;
  /** @default the system clock */
  clock?: Clock;
  /** @default one JSON line per run on stdout */
  logger?: Logger;
  /** Most events re-enqueued per run; the next run takes the rest. @default 500 */
  maxPerRun?: number;
  /** No new batch of the walk starts after this long; the next run goes on from there. @default 30 000 */
  walkBudgetMs?: number;
  /**
   * Most dead-letter messages looked at per run, over all the dead-letter queues (`deadLetterShares`).
   * @default 100 (`DEFAULT_DEAD_LETTERS_PER_RUN`)
   */
  maxDeadLettersPerRun?: number;
  /**
   * Counts an event it could not re-enqueue, or a dead job it could not reconcile with its event (the swept-event
   * alarm's metric). @default none; inside Lambda, EMF
   */
  countSweepFailed?: () => void;
}

/**
 * Counts of one sweep. `examined`: listing index entries read. `found`: of those, events the batch read saw still
 * RECEIVED. `skipped`: no longer RECEIVED when re-read strongly consistently, or gone.
 * `bodyMissing`: RECEIVED but without its body item (its intake died between the state put and the body put, and
 * answered nothing): left as it is for the provider's retry, which stores the body and re-enqueues it (a duplicate
 * re-enqueues an abandoned event), or for the TTL. `watermarkMs`: where the next sweep's walk starts.
 * `deadLetters`: what the dead-letter pass did.
 */
export type SweepResult = Omit<SweepWalkResult, "completed" | "error"> & { deadLetters: DeadLetterCounts };

/** The sweeper Lambda, run on a schedule by EventBridge (the event itself carries nothing it needs). */
export type Sweeper = (event?: unknown) => Promise<SweepResult>;

const DEFAULT_MAX_PER_RUN = 500;
// Leaves most of the function's 50 s for the dead-letter pass and the slowest calls.
const DEFAULT_WALK_BUDGET_MS = 30_000;
// Enough in flight to get through a full run well within a minute, few enough not to throttle a small table.
const CONCURRENCY = 10;

/**
 * Builds the sweeper: it finds events still RECEIVED `sweepAfterSeconds` after arrival (their intake invocation
 * died, or SQS refused the jobs) by walking the listing index (every shard, oldest first) from its watermark
 * (`sweepWatermark`) up to `sweepAfterSeconds` ago, reading the entries' states in batches (eventually consistent),
 * re-reading each RECEIVED one strongly consistently, checking that its body is stored, and enqueueing its jobs and
 * marking it QUEUED. Then it moves the watermark to where it got (`walkAbandoned`): one event's failure never stops
 * the others, and the next run walks again from the first one that failed. A first run (no watermark) starts at
 * the retention's start: no event older than that exists. Then the dead-letter pass marks DEAD the destinations
 * whose jobs SQS moved to a dead-letter queue without the event saying so (`reconcileEveryDeadLetterQueue`, over
 * every destination's queue). Logs one line per run with the counts and returns them.
 */
export function createSweeper(options: SweeperOptions): Sweeper {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? jsonLogger;
  const events: EventsTable = { client: options.ddb, tableName: options.eventsTable };
  const queue: QueueEventDependencies = { events, sqs: options.sqs, queueUrl: options.queueUrl, clock };
  const maxPerRun = options.maxPerRun ?? DEFAULT_MAX_PER_RUN;
  const walkBudgetMs = options.walkBudgetMs ?? DEFAULT_WALK_BUDGET_MS;
  const shards = indexShardCounts(options.config.peakEventsPerSecond);
  const destinationIds = (options.config.destinations ?? []).map(({ id }) => id);
  const deadLetterQueueUrls = deadLetterQueuesOf(options.deadLetterQueueUrl, undefined, destinationIds).map(
    ({ url }) => url,
  );

  async function sweepOne({ pk }: IndexKey): Promise<SweepOutcome> {
    try {
      const item = await readEvent(events, pk);
      if (item === undefined || item.status !== "RECEIVED") return "skipped";
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

  async function walk(): Promise<Omit<SweepResult, "deadLetters">> {
    const nowMs = clock.nowMs();
    const untilMs = abandonedBeforeMs(nowMs, options.config.sweepAfterSeconds);
    const seenMs = await readWatermark(events);
    const sinceMs = seenMs ?? nowMs - options.config.eventRetentionSeconds * 1000;
    const started = performance.now();
    const walked = await walkAbandoned({
      window: { sinceMs, untilMs },
      batches:
        sinceMs < untilMs
          ? walkIndex(events, shards, { sinceMs, untilMs: untilMs - 1, oldestFirst: true })
          : noBatches(),
      stillReceived: async (keys) => {
        const received = new Set(
          (await statesOf(events, keys)).filter((state) => state.status === "RECEIVED").map((state) => state.pk),
        );
        return keys.filter((key) => received.has(key.pk));
      },
      sweepOne,
      concurrency: CONCURRENCY,
      maxRequeued: maxPerRun,
      outOfTime: () => performance.now() - started > walkBudgetMs,
    });
    const { completed, error, ...counts } = walked;
    if (error !== undefined) {
      logger({ level: "error", msg: "oncegate.sweeper.walk_failed", error, watermarkMs: walked.watermarkMs });
      options.countSweepFailed?.();
    }
    if (walked.watermarkMs !== seenMs && !(await advanceWatermark(events, seenMs, walked.watermarkMs, nowMs))) {
      // Another run moved it meanwhile: its own walk stands, this one's is not saved (the next run re-walks it).
      logger({ level: "warn", msg: "oncegate.sweeper.watermark_moved", watermarkMs: walked.watermarkMs });
    }
    return counts;
  }

  return async function sweep(): Promise<SweepResult> {
    const started = performance.now();
    const counts = await walk();
    const deadLetters = await reconcileEveryDeadLetterQueue({
      sqs: options.sqs,
      deadLetterQueueUrls,
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
  const dependencies = gatewayDependenciesFromEnvironment(env);
  return createSweeper({
    ...dependencies,
    deadLetterQueueUrl: checkedJobQueueUrl(
      ENV.deadLetterQueueUrl,
      requiredEnvironment(env, ENV.deadLetterQueueUrl),
      dependencies.config.destinations.map(({ id }) => id),
    ),
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

async function* noBatches(): AsyncGenerator<IndexKey[]> {}
