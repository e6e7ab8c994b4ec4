import { markRedriven, type RedriveMark } from "../../lambdas/delivery/markRedriven.ts";
import { indexShardCounts } from "../../lambdas/shared/indexShards.ts";
import { RefusedError } from "../errors.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { type DeadLetter, type DeadLetterSelection, matches, selectsSome } from "./deadLetter.ts";
import {
  approximateCount,
  deleteDeadLetter,
  giveBack,
  receiveDeadLetters,
  runningMoveTask,
  sendJob,
  startMoveTask,
} from "./deadLetterQueue.ts";

/** What `dlq redrive` was asked. */
export interface RedriveOptions {
  selection: DeadLetterSelection;
  /** Redrive at most this many matching jobs (the receive path). @default every one */
  max?: number;
  nowMs: () => number;
  /** Told how far the scan is: messages handled so far, of about `total` in the queue. */
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** What `dlq redrive --json` prints (a dry run prints `{ count }` instead). */
export interface RedriveSummary {
  /** `messages`: received, sent to the delivery queue, deleted. `move-task`: SQS moves them (`taskHandle`). */
  mode: "messages" | "move-task";
  /** Jobs that matched the selection. */
  matched: number;
  /** Sent back to the delivery queue (and deleted from the dead-letter queue); with a move task, 0. */
  sent: number;
  /** Destinations moved from DEAD to PENDING before their job was sent (`markRedriven`). */
  markedRedriven: number;
  /** Destinations that were not settled (a job is simply delivered). */
  alreadyPending: number;
  /** Jobs of DELIVERED or FAILED destinations, or of events gone: deleted without sending (delivery drops them). */
  dropped: number;
  /** Messages whose body is no delivery job: left in the dead-letter queue. */
  unreadable: number;
  /** Jobs that could not be handled (left in the dead-letter queue, for another run); the first errors follow. */
  failed: number;
  errors: { messageId: string; error: string }[];
  taskHandle?: string;
}

/** How long a received job stays hidden while it is marked, sent and deleted. */
const WORK_VISIBILITY_SECONDS = 60;
/** Most jobs whose destinations are marked before a whole-queue move task. */
const MAX_MARKED_BEFORE_MOVE = 10_000;
const MAX_ERRORS_LISTED = 5;

function emptySummary(mode: RedriveSummary["mode"]): RedriveSummary {
  return {
    mode,
    matched: 0,
    sent: 0,
    markedRedriven: 0,
    alreadyPending: 0,
    dropped: 0,
    unreadable: 0,
    failed: 0,
    errors: [],
  };
}

/** The jobs a redrive would act on, counted without changing anything (`--dry-run`). */
export async function countRedrivable(target: OperatorTarget, options: RedriveOptions): Promise<{ count: number }> {
  const url = target.resources.deadLetterQueueUrl;
  const letters = await receiveDeadLetters(target.sqs, url, {
    visibilitySeconds: WORK_VISIBILITY_SECONDS,
    max: Number.MAX_SAFE_INTEGER,
    nowMs: options.nowMs,
  });
  await giveBack(target.sqs, url, letters);
  const count = letters.filter((letter) => letter.job !== undefined && matches(letter, options.selection)).length;
  return { count: options.max === undefined ? count : Math.min(count, options.max) };
}

/**
 * Sends dead jobs back to the delivery queue (`dlq redrive`). Each job's destination is marked first (DEAD →
 * PENDING, `markRedriven`), so no event reads DEAD while it is delivered again. On AWS, the whole queue (no
 * selection, no `max`) moves with SQS's message move task after that marking pass; otherwise, and always on the local
 * target, each job is received, marked, sent, then deleted: sent before deleted, so a crash between the two leaves a
 * duplicate job at worst, which delivery handles like any duplicate.
 * @throws RefusedError `move_task_running` when SQS is already moving this queue's messages
 */
export async function redriveDeadLetters(target: OperatorTarget, options: RedriveOptions): Promise<RedriveSummary> {
  const wholeQueue = !selectsSome(options.selection) && options.max === undefined;
  if (wholeQueue && target.supportsMoveTask) return redriveWithMoveTask(target, options);
  return redriveMessages(target, options);
}

async function redriveMessages(target: OperatorTarget, options: RedriveOptions): Promise<RedriveSummary> {
  const { sqs, resources } = target;
  const summary = emptySummary("messages");
  const limit = options.max ?? Number.POSITIVE_INFINITY;
  let total = await approximateCount(sqs, resources.deadLetterQueueUrl);
  let done = 0;
  const leftAlone: DeadLetter[] = [];
  options.onProgress?.({ done, total });
  while (summary.matched < limit) {
    const batch = await receiveDeadLetters(sqs, resources.deadLetterQueueUrl, {
      visibilitySeconds: WORK_VISIBILITY_SECONDS,
      max: 10,
      nowMs: options.nowMs,
    });
    if (batch.length === 0) break;
    const chosen: DeadLetter[] = [];
    for (const letter of batch) {
      if (letter.job === undefined) {
        if (!selectsSome(options.selection)) summary.unreadable += 1;
        leftAlone.push(letter);
      } else if (matches(letter, options.selection) && summary.matched + chosen.length < limit) {
        chosen.push(letter);
      } else {
        leftAlone.push(letter);
      }
    }
    summary.matched += chosen.length;
    await Promise.all(chosen.map((letter) => redriveOne(target, letter, summary)));
    done += batch.length;
    total = Math.max(total, done);
    options.onProgress?.({ done, total });
  }
  await giveBack(sqs, resources.deadLetterQueueUrl, leftAlone);
  return summary;
}

/** Marks, sends, deletes: in that order. A failure leaves the message to reappear in the dead-letter queue. */
async function redriveOne(target: OperatorTarget, letter: DeadLetter, summary: RedriveSummary): Promise<void> {
  const job = letter.job;
  if (job === undefined) return;
  try {
    const outcome = await mark(target, job.pk, job.destination);
    countMark(summary, outcome);
    if (outcome.kind === "settled" || outcome.kind === "missing") {
      await deleteDeadLetter(target.sqs, target.resources.deadLetterQueueUrl, letter);
      summary.dropped += 1;
      return;
    }
    await sendJob(target.sqs, target.resources.deliveryQueueUrl, job);
    await deleteDeadLetter(target.sqs, target.resources.deadLetterQueueUrl, letter);
    summary.sent += 1;
  } catch (error) {
    summary.failed += 1;
    if (summary.errors.length < MAX_ERRORS_LISTED) {
      summary.errors.push({ messageId: letter.view.messageId, error: (error as Error).message ?? String(error) });
    }
  }
}

function mark(target: OperatorTarget, pk: string, destination: string): Promise<RedriveMark> {
  const table = {
    client: target.ddb,
    tableName: target.resources.eventsTable,
    shards: indexShardCounts(target.resources.peakEventsPerSecond),
  };
  return asOperator(
    `update the events table ${target.resources.eventsTable} (dynamodb:GetItem, dynamodb:UpdateItem)`,
    () => markRedriven(table, pk, destination, target.resources.retryScheduleSeconds),
  );
}

function countMark(summary: RedriveSummary, mark: RedriveMark): void {
  if (mark.kind === "redriven") summary.markedRedriven += 1;
  if (mark.kind === "pending") summary.alreadyPending += 1;
}

/**
 * The whole queue on AWS: mark the destination of every job a receive finds, give the messages back, then let SQS
 * move them all to the delivery queue. A job no receive found (another reader held it) is still handled right: the
 * delivery Lambda recognises a redriven job of a DEAD destination by its new message id (`isRedrive`).
 */
async function redriveWithMoveTask(target: OperatorTarget, options: RedriveOptions): Promise<RedriveSummary> {
  const { sqs, resources } = target;
  const running = await runningMoveTask(sqs, resources.deadLetterQueueArn);
  if (running !== undefined) {
    throw new RefusedError(
      "move_task_running",
      `SQS is already moving this dead-letter queue's messages (task ${running}): wait for it to finish, then run dlq redrive again.`,
    );
  }
  const summary = emptySummary("move-task");
  const letters = await receiveDeadLetters(sqs, resources.deadLetterQueueUrl, {
    visibilitySeconds: WORK_VISIBILITY_SECONDS,
    max: MAX_MARKED_BEFORE_MOVE,
    nowMs: options.nowMs,
  });
  const total = letters.length;
  let done = 0;
  options.onProgress?.({ done, total });
  for (const letter of letters) {
    if (letter.job === undefined) {
      summary.unreadable += 1;
    } else {
      summary.matched += 1;
      try {
        const outcome = await mark(target, letter.job.pk, letter.job.destination);
        countMark(summary, outcome);
        if (outcome.kind === "settled" || outcome.kind === "missing") summary.dropped += 1;
      } catch (error) {
        summary.failed += 1;
        if (summary.errors.length < MAX_ERRORS_LISTED) {
          summary.errors.push({ messageId: letter.view.messageId, error: (error as Error).message ?? String(error) });
        }
      }
    }
    done += 1;
    options.onProgress?.({ done, total });
  }
  await giveBack(sqs, resources.deadLetterQueueUrl, letters);
  summary.taskHandle = await startMoveTask(sqs, resources.deadLetterQueueArn);
  return summary;
}
