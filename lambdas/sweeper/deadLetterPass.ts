import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { DeliveryTable } from "../delivery/deliveryStore.ts";
import { parseDeliveryJob } from "../delivery/jobMessage.ts";
import { markDeadLettered } from "../delivery/markDeadLettered.ts";
import { errorCodeOf } from "../shared/errors.ts";
import type { Logger } from "../shared/logger.ts";

/**
 * The sweeper's dead-letter pass over one dead-letter queue (`deadLetterQueuesPass.ts` runs it over each). The
 * delivery marks a destination DEAD (`dead_lettered`) on the receive after which SQS moves its job to the
 * dead-letter queue; when DynamoDB failed on exactly that receive, SQS moved the job anyway and the event would read
 * PENDING/QUEUED for ever. This pass reads the jobs in the DLQ and writes on each event what that receive could not
 * (`markDeadLettered`). It never deletes a message (operators redrive or inspect them) and hides each one only while
 * a run looks at it.
 */

/** What one pass did, by message. */
export interface DeadLetterCounts {
  /** Messages received (each once per run). */
  read: number;
  /** Destinations marked DEAD (`dead_lettered`). */
  marked: number;
  /** Destinations already DELIVERED, FAILED or DEAD: not rewritten. */
  alreadySettled: number;
  /** Events gone (expired by TTL). */
  missing: number;
  /** Bodies that are not a delivery job. */
  unreadable: number;
  /** Messages whose event could not be read or written (DynamoDB failing); the next run tries again. */
  failed: number;
  /**
   * Set when the queue itself could not be read (its error's code): the pass stopped there. Over several queues,
   * the first one's; the others were still read.
   */
  error?: string;
}

/** What {@link reconcileDeadLetters} is given. */
export interface DeadLetterPassOptions {
  sqs: SQSClient;
  deadLetterQueueUrl: string;
  table: DeliveryTable;
  logger: Logger;
  /** Most messages looked at per run. @default {@link DEFAULT_DEAD_LETTERS_PER_RUN} */
  maxPerRun?: number;
  /**
   * The queue's visible messages as the caller just read them ({@link visibleDeadLetters}, to split the budget over
   * several queues): the pass does not ask again. @default read by the pass itself
   */
  visibleMessages?: number;
  /** Counts a message (or the queue) that could not be handled: the sweeper's `SweepFailed` metric. */
  countFailed?: () => void;
}

/** Messages one run looks at: about 10 receives and 100 GetItems, a few seconds of the sweeper's 50. */
export const DEFAULT_DEAD_LETTERS_PER_RUN = 100;

/**
 * How long a received DLQ message stays hidden if the run does not hand it back (it hands each back at the end, with
 * visibility 0): long enough for a run to go through its 100 without receiving one twice, short enough for an
 * operator's poll or redrive to see it again soon if the run died. SQS allows 0 to 43 200 s: the Amazon SQS API
 * Reference, ReceiveMessage, "VisibilityTimeout — The duration (in seconds) that the received messages are hidden from
 * subsequent retrieve requests after being retrieved by a ReceiveMessage request", and ChangeMessageVisibility,
 * "Values range: 0 to 43200. Maximum: 12 hours."
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html).
 * fauxqs accepts values outside that range: the tests hold it to SQS's rules (`test/support/sqsVisibilityRules.ts`).
 */
export const DEAD_LETTER_VISIBILITY_SECONDS = 30;

// SQS's most per ReceiveMessage and per ChangeMessageVisibilityBatch.
const BATCH = 10;

type MessageOutcome = Exclude<keyof DeadLetterCounts, "read" | "error">;

/** The counts of a pass that found the dead-letter queue empty. */
export function noDeadLetters(): DeadLetterCounts {
  return { read: 0, marked: 0, alreadySettled: 0, missing: 0, unreadable: 0, failed: 0 };
}

/** The messages visible in a dead-letter queue (SQS's approximate count): one `GetQueueAttributes`. */
export async function visibleDeadLetters(sqs: SQSClient, deadLetterQueueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
}

/**
 * What a pass returns when its queue could not be read: the error's code, logged with the queue's URL (one
 * destination's queue failing says which) and counted.
 */
export function deadLetterQueueFailed(
  options: Pick<DeadLetterPassOptions, "deadLetterQueueUrl" | "logger" | "countFailed">,
  error: unknown,
  counts: DeadLetterCounts = noDeadLetters(),
): DeadLetterCounts {
  counts.error = errorCodeOf(error);
  options.logger({
    level: "error",
    msg: "oncegate.sweeper.dead_letters_failed",
    queueUrl: options.deadLetterQueueUrl,
    error: counts.error,
  });
  options.countFailed?.();
  return counts;
}

/**
 * One pass: `GetQueueAttributes` first (unless given `visibleMessages`), and nothing more when the DLQ is empty (one
 * call a run). Otherwise receives
 * batches of 10 until `maxPerRun`, an empty receive or a batch of messages this run already saw; marks each job's
 * destination; and hands every received message back (visibility 0). One message's failure never stops the others.
 */
export async function reconcileDeadLetters(options: DeadLetterPassOptions): Promise<DeadLetterCounts> {
  const { sqs, logger } = options;
  const queueUrl = options.deadLetterQueueUrl;
  const maxPerRun = options.maxPerRun ?? DEFAULT_DEAD_LETTERS_PER_RUN;
  const counts = noDeadLetters();
  // Each message's latest receipt handle, by id: SQS honours only the latest one of a message received twice.
  const received = new Map<string, string>();

  async function reconcileOne(message: Message): Promise<MessageOutcome> {
    const messageId = message.MessageId ?? "";
    const job = parseDeliveryJob(message.Body ?? "");
    if (job === undefined) {
      // Its body is untrusted: only its size is logged.
      const size = message.Body?.length ?? 0;
      logger({ level: "warn", msg: "oncegate.sweeper.dead_letter_unreadable", messageId, bodyLength: size });
      return "unreadable";
    }
    try {
      const outcome = await markDeadLettered(options.table, job, messageId);
      if (outcome === "marked") {
        logger({
          level: "warn",
          msg: "oncegate.sweeper.dead_lettered",
          messageId,
          pk: job.pk,
          destination: job.destination,
        });
      }
      return outcome;
    } catch (error) {
      const code = errorCodeOf(error);
      logger({ level: "error", msg: "oncegate.sweeper.dead_letter_failed", messageId, pk: job.pk, error: code });
      options.countFailed?.();
      return "failed";
    }
  }

  try {
    const visible = options.visibleMessages ?? (await visibleDeadLetters(sqs, queueUrl));
    if (visible === 0) return counts;
    while (counts.read < maxPerRun) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(BATCH, maxPerRun - counts.read),
          VisibilityTimeout: DEAD_LETTER_VISIBILITY_SECONDS,
          WaitTimeSeconds: 1,
        }),
      );
      const fresh = Messages.filter((message) => !received.has(message.MessageId ?? ""));
      for (const { MessageId, ReceiptHandle } of Messages) received.set(MessageId ?? "", ReceiptHandle ?? "");
      if (fresh.length === 0) break;
      counts.read += fresh.length;
      for (const outcome of await Promise.all(fresh.map(reconcileOne))) counts[outcome] += 1;
    }
  } catch (error) {
    deadLetterQueueFailed(options, error, counts);
  }
  await handBack(options, [...received.values()]);
  return counts;
}

/**
 * Makes the received messages visible again at once, so the next reader (an operator, a redrive) need not wait out
 * {@link DEAD_LETTER_VISIBILITY_SECONDS}. A failure is only logged: they come back after those seconds anyway.
 */
async function handBack(options: DeadLetterPassOptions, receiptHandles: readonly string[]): Promise<void> {
  let notHandedBack = 0;
  let error: string | undefined;
  for (let start = 0; start < receiptHandles.length; start += BATCH) {
    const entries = receiptHandles.slice(start, start + BATCH).map((ReceiptHandle, index) => ({
      Id: String(index),
      ReceiptHandle,
      VisibilityTimeout: 0,
    }));
    try {
      const out = await options.sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: options.deadLetterQueueUrl, Entries: entries }),
      );
      notHandedBack += out.Failed?.length ?? 0;
      error ??= out.Failed?.[0]?.Code;
    } catch (failure) {
      notHandedBack += entries.length;
      error ??= errorCodeOf(failure);
    }
  }
  if (notHandedBack > 0) {
    options.logger({
      level: "warn",
      msg: "oncegate.sweeper.dead_letters_not_handed_back",
      count: notHandedBack,
      error,
    });
  }
}
