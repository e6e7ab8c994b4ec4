import { markRedriven, type RedriveMark } from "../../lambdas/delivery/markRedriven.ts";
import type { DeadLetterQueue } from "../../lambdas/shared/deadLetterQueues.ts";
import { indexShardCounts } from "../../lambdas/shared/indexShards.ts";
import { RefusedError } from "../errors.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { type DeadLetter, type DeadLetterSelection, matches, selectsSome } from "./deadLetter.ts";
import {
  approximateCount,
  deleteDeadLetter,
  giveBack,
  ReceiveBudget,
  receiveDeadLetters,
  runningMoveTask,
  sendJob,
  startMoveTask,
} from "./deadLetterQueue.ts";
import { scanDeadLetters } from "./listDeadLetters.ts";
import { deadLetterQueuesOfSelection, eachDeadLetterQueue } from "./targetDeadLetterQueues.ts";

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
  /** `messages`: received, sent to their job queues, deleted. `move-task`: SQS moves them (`taskHandles`). */
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
  /** The first move task's handle: with one dead-letter queue (the local stack's shape), the only one. */
  taskHandle?: string;
  /** Each dead-letter queue's move task, in the queues' order (the destinations' configuration order). */
  taskHandles?: string[];
}

/** How long a received job stays hidden while it is marked, sent and deleted. */
const WORK_VISIBILITY_SECONDS = 60;
/** Most jobs whose destinations are marked before the move tasks, over every dead-letter queue. */
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
  const letters = await scanDeadLetters(target, deadLetterQueuesOfSelection(target, options.selection), {
    max: Number.MAX_SAFE_INTEGER,
    nowMs: options.nowMs,
    visibilitySeconds: WORK_VISIBILITY_SECONDS,
  });
  const count = letters.filter((letter) => letter.job !== undefined && matches(letter, options.selection)).length;
  return { count: options.max === undefined ? count : Math.min(count, options.max) };
}

/**
 * Sends dead jobs back to their destinations' job queues (`dlq redrive`), from every destination's dead-letter
 * queue (with `destination`, only that one's). Each job's destination is marked first (DEAD → PENDING,
 * `markRedriven`), so no event reads DEAD while it is delivered again. On AWS, the whole of every queue (no
 * selection, no `max`) moves with SQS's message move task, one per queue, after that marking pass; otherwise, and
 * always on the local target, each job is received, marked, sent, then deleted: sent before deleted, so a crash
 * between the two leaves a duplicate job at worst, which delivery handles like any duplicate.
 * @throws RefusedError `move_task_running` when SQS is already moving one of the queues' messages; NotFoundError
 * `no_such_destination`, TargetError `dead_letter_queues_unknown` (`deadLetterQueuesOfSelection`)
 */
export async function redriveDeadLetters(target: OperatorTarget, options: RedriveOptions): Promise<RedriveSummary> {
  const queues = deadLetterQueuesOfSelection(target, options.selection);
  const wholeQueue = !selectsSome(options.selection) && options.max === undefined;
  if (wholeQueue && target.supportsMoveTask) return redriveWithMoveTasks(target, queues, options);
  return redriveMessages(target, queues, options);
}

/**
 * The receive path, every queue at once (`eachDeadLetterQueue`). A job is chosen, and `matched` counted, with no
 * wait in between, so `max` holds over the queues together; what a queue received past it is given back.
 */
async function redriveMessages(
  target: OperatorTarget,
  queues: readonly DeadLetterQueue[],
  options: RedriveOptions,
): Promise<RedriveSummary> {
  const { sqs } = target;
  const summary = emptySummary("messages");
  const limit = options.max ?? Number.POSITIVE_INFINITY;
  const counts = await eachDeadLetterQueue(queues, ({ url }) => approximateCount(sqs, url));
  let total = counts.reduce((sum, count) => sum + count, 0);
  let done = 0;
  options.onProgress?.({ done, total });
  await eachDeadLetterQueue(queues, async ({ url }) => {
    const leftAlone: DeadLetter[] = [];
    while (summary.matched < limit) {
      const batch = await receiveDeadLetters(sqs, url, {
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
      await Promise.all(chosen.map((letter) => redriveOne(target, url, letter, summary)));
      done += batch.length;
      total = Math.max(total, done);
      options.onProgress?.({ done, total });
    }
    await giveBack(sqs, url, leftAlone);
  });
  return summary;
}

/**
 * Marks, sends (to the job's destination's job queue, `sendJob`), deletes from `queueUrl`: in that order. A failure
 * leaves the message to reappear in the dead-letter queue.
 */
async function redriveOne(
  target: OperatorTarget,
  queueUrl: string,
  letter: DeadLetter,
  summary: RedriveSummary,
): Promise<void> {
  const job = letter.job;
  if (job === undefined) return;
  try {
    const outcome = await mark(target, job.pk, job.destination);
    countMark(summary, outcome);
    if (outcome.kind === "settled" || outcome.kind === "missing") {
      await deleteDeadLetter(target.sqs, queueUrl, letter);
      summary.dropped += 1;
      return;
    }
    await sendJob(target.sqs, target.resources.deliveryQueueUrl, job);
    await deleteDeadLetter(target.sqs, queueUrl, letter);
    summary.sent += 1;
  } catch (error) {
    recordFailure(summary, letter, error);
  }
}

function recordFailure(summary: RedriveSummary, letter: DeadLetter, error: unknown): void {
  summary.failed += 1;
  if (summary.errors.length < MAX_ERRORS_LISTED) {
    summary.errors.push({ messageId: letter.view.messageId, error: (error as Error).message ?? String(error) });
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
 * Every queue whole, on AWS: mark the destination of every job a receive finds, give the messages back, then let SQS
 * move each queue's messages back to the job queue they died in (its destination's): one move task per dead-letter
 * queue. A job no receive found (another reader held it) is still handled right: the delivery Lambda recognises a
 * redriven job of a DEAD destination by its new message id (`isRedrive`). Refused, before anything is written, while
 * a task runs on any of the queues: SQS runs one per queue. The tasks are started one after another; should one
 * fail to start, those started go on and the error is thrown (a rerun waits for them, then moves the rest).
 */
async function redriveWithMoveTasks(
  target: OperatorTarget,
  queues: readonly DeadLetterQueue[],
  options: RedriveOptions,
): Promise<RedriveSummary> {
  const { sqs } = target;
  const arns = queues.map(({ arn }) => arn ?? "");
  const running = await eachDeadLetterQueue(queues, async ({ arn }) => runningMoveTask(sqs, arn ?? ""));
  const busy = queues.filter((_, index) => running[index] !== undefined);
  if (busy.length > 0) {
    const tasks = running.filter((task) => task !== undefined).join(", ");
    const which =
      queues.length === 1
        ? "this dead-letter queue's messages"
        : `the messages of the dead-letter queue${busy.length > 1 ? "s" : ""} of ${busy.flatMap(({ destinations }) => destinations).join(", ")}`;
    throw new RefusedError(
      "move_task_running",
      `SQS is already moving ${which} (task ${tasks}): wait for it to finish, then run dlq redrive again.`,
    );
  }
  const summary = emptySummary("move-task");
  const budget = new ReceiveBudget(MAX_MARKED_BEFORE_MOVE);
  const received = await eachDeadLetterQueue(queues, async ({ url }) => ({
    url,
    letters: await receiveDeadLetters(sqs, url, {
      visibilitySeconds: WORK_VISIBILITY_SECONDS,
      max: budget,
      nowMs: options.nowMs,
    }),
  }));
  const total = received.reduce((sum, { letters }) => sum + letters.length, 0);
  let done = 0;
  options.onProgress?.({ done, total });
  for (const { letters } of received) {
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
          recordFailure(summary, letter, error);
        }
      }
      done += 1;
      options.onProgress?.({ done, total });
    }
  }
  await eachDeadLetterQueue(received, ({ url, letters }) => giveBack(sqs, url, letters));
  summary.taskHandles = [];
  for (const arn of arns) summary.taskHandles.push(await startMoveTask(sqs, arn));
  summary.taskHandle = summary.taskHandles[0];
  return summary;
}
