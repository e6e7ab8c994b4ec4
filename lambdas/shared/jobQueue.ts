import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { EnqueueFailedError, errorCodeOf } from "./errors.ts";
import type { DeliveryJob, EventState } from "./eventRecord.ts";
import { jobQueueUrl } from "./jobQueueUrl.ts";
import { callOptions, type RequestDeadline } from "./requestDeadline.ts";

// SendMessageBatch takes at most 10 entries.
const BATCH_SIZE = 10;

/** One job per destination the event was fanned out to at acceptance. */
export function deliveryJobsFor(item: Pick<EventState, "pk" | "destinationIds">): DeliveryJob[] {
  return item.destinationIds.map((destination) => ({ pk: item.pk, destination }));
}

/** The message body of a job: exactly `{ pk, destination }`; the delivery Lambda reads the rest from the item. */
export function jobMessageBody(job: DeliveryJob): string {
  return JSON.stringify({ pk: job.pk, destination: job.destination });
}

/**
 * Puts every job on its destination's queue (`jobQueueUrl`) with `SendMessageBatch`, 10 per call. Entries SQS
 * reports as `Failed` are sent once more; if any still fail, or a call throws, nothing is rolled back (jobs are
 * idempotent by key) and {@link EnqueueFailedError} is thrown so the caller can answer 503 and let the sender retry.
 */
export async function enqueueJobs(
  sqs: SQSClient,
  queueUrl: string,
  jobs: readonly DeliveryJob[],
  deadline?: RequestDeadline,
): Promise<void> {
  // Each job to its destination's queue (one shared queue, or one per destination: `jobQueueUrl`).
  const byQueue = new Map<string, DeliveryJob[]>();
  for (const job of jobs) {
    const url = jobQueueUrl(queueUrl, job.destination);
    byQueue.set(url, [...(byQueue.get(url) ?? []), job]);
  }
  const batches: { url: string; entries: SendMessageBatchRequestEntry[] }[] = [];
  for (const [url, queued] of byQueue) {
    for (let start = 0; start < queued.length; start += BATCH_SIZE) {
      const entries = queued
        .slice(start, start + BATCH_SIZE)
        .map((job, index) => ({ Id: String(index), MessageBody: jobMessageBody(job) }));
      batches.push({ url, entries });
    }
  }
  await Promise.all(batches.map(({ url, entries }) => sendBatch(sqs, url, entries, deadline)));
}

async function sendBatch(
  sqs: SQSClient,
  queueUrl: string,
  entries: SendMessageBatchRequestEntry[],
  deadline: RequestDeadline | undefined,
): Promise<void> {
  const failed = await sendOnce(sqs, queueUrl, entries, deadline);
  if (failed.length === 0) return;
  const retry = entries.filter((entry) => failed.some((failure) => failure.Id === entry.Id));
  const stillFailed = await sendOnce(sqs, queueUrl, retry, deadline);
  if (stillFailed.length === 0) return;
  const codes = [...new Set(stillFailed.map((failure) => failure.Code ?? "unknown"))].join(", ");
  throw new EnqueueFailedError(`${stillFailed.length} of ${entries.length} entries failed twice (${codes})`);
}

async function sendOnce(
  sqs: SQSClient,
  queueUrl: string,
  entries: SendMessageBatchRequestEntry[],
  deadline: RequestDeadline | undefined,
): Promise<BatchResultErrorEntry[]> {
  try {
    const output = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
      callOptions(deadline, "SendMessageBatch"),
    );
    return output.Failed ?? [];
  } catch (error) {
    const reason = errorCodeOf(error);
    throw new EnqueueFailedError(`SendMessageBatch failed (${reason})`, { cause: error });
  }
}
