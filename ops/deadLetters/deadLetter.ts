import type { Message } from "@aws-sdk/client-sqs";
import { parseDeliveryJob } from "../../lambdas/delivery/jobMessage.ts";
import type { DeliveryJob } from "../../lambdas/shared/eventRecord.ts";
import { eventRefOf, idempotencyKeyOfPk } from "./eventRef.ts";

/** One message of the dead-letter queue, as `dlq list --json` prints it (its receipt handle aside). */
export interface DeadLetterView {
  messageId: string;
  /** The events-table key of the job; absent when the body is not a delivery job. */
  pk?: string;
  provider?: string;
  eventId?: string;
  idempotencyKey?: string;
  destination?: string;
  /** SQS's `ApproximateReceiveCount`: receives on the delivery queue and the dead-letter queue, this one included. */
  receiveCount: number;
  /** When the job was first enqueued (SQS keeps it across the move to the dead-letter queue), ISO 8601. */
  sentAt?: string;
  ageSeconds?: number;
}

/** A received dead letter: the view, the job it carries (if it is one), and what deleting it takes. */
export interface DeadLetter {
  view: DeadLetterView;
  job: DeliveryJob | undefined;
  receiptHandle: string;
}

/** Reads a received message; a body that is not a job is kept as such (it is listed, never redriven or deleted). */
export function deadLetterOf(message: Message, nowMs: number): DeadLetter {
  const job = parseDeliveryJob(message.Body ?? "");
  const sentMs = Number(message.Attributes?.SentTimestamp);
  const view: DeadLetterView = {
    messageId: message.MessageId ?? "",
    receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0) || 0,
  };
  if (job !== undefined) {
    const ref = eventRefOf(job.pk);
    Object.assign(view, { pk: job.pk, ...ref, destination: job.destination });
    const key = idempotencyKeyOfPk(job.pk);
    if (key !== undefined) view.idempotencyKey = key;
  }
  if (Number.isFinite(sentMs) && sentMs > 0) {
    view.sentAt = new Date(sentMs).toISOString();
    view.ageSeconds = Math.max(0, Math.floor((nowMs - sentMs) / 1000));
  }
  return { view, job, receiptHandle: message.ReceiptHandle ?? "" };
}

/** Which dead letters a command acts on; every field given must match. */
export interface DeadLetterSelection {
  destination?: string;
  /** The events-table key (`--event provider/eventId`). */
  pk?: string;
  /** The `Idempotency-Key` (`--key`). */
  idempotencyKey?: string;
  /** Only these messages (`--message`, the console's selected rows), by SQS message id. */
  messageIds?: readonly string[];
}

/** Whether a selection names anything at all (no: the whole queue). */
export function selectsSome(selection: DeadLetterSelection): boolean {
  return (
    selection.destination !== undefined ||
    selection.pk !== undefined ||
    selection.idempotencyKey !== undefined ||
    selection.messageIds !== undefined
  );
}

export function matches(letter: DeadLetter, selection: DeadLetterSelection): boolean {
  const { view } = letter;
  if (letter.job === undefined) return !selectsSome(selection);
  if (selection.destination !== undefined && view.destination !== selection.destination) return false;
  if (selection.pk !== undefined && view.pk !== selection.pk) return false;
  if (selection.idempotencyKey !== undefined && view.idempotencyKey !== selection.idempotencyKey) return false;
  if (selection.messageIds !== undefined && !selection.messageIds.includes(view.messageId)) return false;
  return true;
}
