import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import type { DeliveryJob } from "../../lambdas/shared/eventRecord.ts";
import { jobMessageBody } from "../../lambdas/shared/jobQueue.ts";
import { jobQueueUrl } from "../../lambdas/shared/jobQueueUrl.ts";
import { asOperator } from "../target/awsFailures.ts";
import { type DeadLetter, deadLetterOf } from "./deadLetter.ts";

/**
 * SQS I/O of `dlq` on one dead-letter queue (`targetDeadLetterQueues` says which): receive (never a job queue),
 * send a job to its destination's job queue, delete, move tasks.
 */

export interface ReceiveOptions {
  /** How long a received message stays hidden from other receives (and from this scan's next receives). */
  visibilitySeconds: number;
  /** Stop after this many messages: this queue's own number, or a budget that several queues' receives draw on. */
  max: number | ReceiveBudget;
  nowMs: () => number;
}

/**
 * Messages still to receive, over several queues read at once (`dlq list` over each destination's queue). Each
 * receive reserves what it asks for before it is sent and hands back what it did not get, so the queues together
 * never receive more than the budget; a queue that finds it all reserved waits for those receives to end rather
 * than stop, since they may hand some back (one queue's 2 messages leave room for another's under `--max 3`).
 */
export class ReceiveBudget {
  #left: number;
  #reserved = 0;
  #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.#left = max;
  }

  /** Reserves up to `most` messages; 0 once the budget is spent (nothing reserved that could come back). */
  async take(most: number): Promise<number> {
    while (this.#left === 0 && this.#reserved > 0) await new Promise<void>((wake) => this.#waiting.push(wake));
    const taken = Math.min(most, this.#left);
    this.#left -= taken;
    this.#reserved += taken;
    return taken;
  }

  /** Ends a reservation of `taken`, of which `kept` were received. */
  settle(taken: number, kept: number): void {
    this.#reserved -= taken;
    this.#left += taken - kept;
    for (const wake of this.#waiting.splice(0)) wake();
  }
}

/**
 * Receives messages, 10 at a time with a 1 s long poll (which asks every SQS server, not a sample), until a receive
 * finds none or `max` are in hand. SQS may hand out a message twice: each is kept once, by message id.
 */
export async function receiveDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  options: ReceiveOptions,
): Promise<DeadLetter[]> {
  const budget = typeof options.max === "number" ? new ReceiveBudget(options.max) : options.max;
  const seen = new Map<string, DeadLetter>();
  for (;;) {
    const asked = await budget.take(10);
    if (asked === 0) break;
    let messages: Message[] = [];
    const before = seen.size;
    try {
      const out = await asOperator("receive from the dead-letter queue (sqs:ReceiveMessage)", () =>
        sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: asked,
            VisibilityTimeout: options.visibilitySeconds,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp"],
          }),
        ),
      );
      messages = out.Messages ?? [];
      for (const message of messages) {
        const letter = deadLetterOf(message, options.nowMs());
        // A second receive of the same message brings a new receipt handle: the newest is the valid one.
        seen.set(letter.view.messageId, letter);
      }
    } finally {
      // A message received again is not one more in hand.
      budget.settle(asked, seen.size - before);
    }
    if (messages.length === 0) break;
  }
  return [...seen.values()];
}

/**
 * Makes messages visible again at once (visibility 0): what a listing or a dry run leaves. Best effort. (The local
 * target's client turns 0 into 1 s: `avoidZeroVisibility`.)
 */
export async function giveBack(sqs: SQSClient, queueUrl: string, letters: readonly DeadLetter[]): Promise<void> {
  await Promise.all(
    letters.map((letter) =>
      sqs
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: letter.receiptHandle,
            VisibilityTimeout: 0,
          }),
        )
        // The message becomes visible at the end of its visibility timeout anyway.
        .catch(() => undefined),
    ),
  );
}

/** Puts the job back on its destination's delivery queue (`jobQueueUrl`), as the intake enqueues it. */
export async function sendJob(sqs: SQSClient, deliveryQueueUrl: string, job: DeliveryJob): Promise<void> {
  const queueUrl = jobQueueUrl(deliveryQueueUrl, job.destination);
  await asOperator("send to the delivery queue (sqs:SendMessage)", () =>
    sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: jobMessageBody(job) })),
  );
}

export async function deleteDeadLetter(sqs: SQSClient, queueUrl: string, letter: DeadLetter): Promise<void> {
  await asOperator("delete from the dead-letter queue (sqs:DeleteMessage)", () =>
    sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle })),
  );
}

/** Messages in the queue, visible or not (SQS's approximate counts). */
export async function approximateCount(sqs: SQSClient, queueUrl: string): Promise<number> {
  const out = await asOperator("read the dead-letter queue's attributes (sqs:GetQueueAttributes)", () =>
    sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    ),
  );
  const attributes = out.Attributes ?? {};
  return (
    Number(attributes.ApproximateNumberOfMessages ?? 0) + Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** The move task running on the dead-letter queue, if any (SQS runs one at a time per queue). */
export async function runningMoveTask(sqs: SQSClient, deadLetterQueueArn: string): Promise<string | undefined> {
  const out = await asOperator("list message move tasks (sqs:ListMessageMoveTasks)", () =>
    sqs.send(new ListMessageMoveTasksCommand({ SourceArn: deadLetterQueueArn, MaxResults: 1 })),
  );
  const task = out.Results?.find((result) => result.Status === "RUNNING");
  return task === undefined ? undefined : (task.TaskHandle ?? "running");
}

/** Starts SQS's own move of every message back to the queue it died in (its destination's job queue). */
export async function startMoveTask(sqs: SQSClient, deadLetterQueueArn: string): Promise<string> {
  const out = await asOperator("start a message move task (sqs:StartMessageMoveTask)", () =>
    sqs.send(new StartMessageMoveTaskCommand({ SourceArn: deadLetterQueueArn })),
  );
  return out.TaskHandle ?? "";
}
