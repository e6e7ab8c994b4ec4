import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Clock } from "./clock.ts";
import { errorCodeOf } from "./errors.ts";
import type { EventState } from "./eventRecord.ts";
import { type EventsTable, markQueued } from "./eventStore.ts";
import { deliveryJobsFor, enqueueJobs } from "./jobQueue.ts";
import type { RequestDeadline } from "./requestDeadline.ts";

/**
 * Time kept back from markQueued for the answer: once the jobs are enqueued the request has succeeded, and a
 * markQueued still running at the deadline is given up (the sweeper marks the event) rather than turned into a 503.
 */
const ANSWER_RESERVE_MS = 250;

/** What it takes to put an event's jobs on the queue and record that it is queued. */
export interface QueueEventDependencies {
  events: EventsTable;
  sqs: SQSClient;
  queueUrl: string;
  clock: Clock;
}

/** Result of {@link queueEventJobs}. */
export interface QueuedEvent {
  enqueueMs: number;
  /** Error name when marking QUEUED failed after the jobs were enqueued (the sweeper may enqueue them again). */
  markQueuedError?: string;
}

/**
 * Enqueues one job per destination of the stored item, then marks it QUEUED (which tells the sweeper it needs nothing).
 * The enqueue must succeed: its errors are thrown. The mark may fail: the jobs are on the queue either way, and a
 * second enqueue by the sweeper is safe because every job carries the event's stable key.
 *
 * @throws EnqueueFailedError when the jobs could not all be enqueued
 */
export async function queueEventJobs(
  deps: QueueEventDependencies,
  item: Pick<EventState, "pk" | "destinationIds">,
  afterEnqueue?: () => void | Promise<void>,
  deadline?: RequestDeadline,
): Promise<QueuedEvent> {
  const started = performance.now();
  await enqueueJobs(deps.sqs, deps.queueUrl, deliveryJobsFor(item), deadline);
  const enqueueMs = performance.now() - started;
  await afterEnqueue?.();
  try {
    // false means a concurrent requeue or the sweeper marked it first: nothing left to do.
    // The race gives up on it before the deadline; its signal cuts the call itself at the deadline.
    const marking = markQueued(deps.events, item.pk, deps.clock.nowMs(), {
      ...(deadline !== undefined && { abortSignal: deadline.signal("markQueued") }),
    });
    await (deadline === undefined ? marking : deadline.race("markQueued", marking, ANSWER_RESERVE_MS));
    return { enqueueMs };
  } catch (error) {
    return { enqueueMs, markQueuedError: errorCodeOf(error) };
  }
}
