import {
  DEFAULT_DEAD_LETTERS_PER_RUN,
  type DeadLetterCounts,
  type DeadLetterPassOptions,
  deadLetterQueueFailed,
  noDeadLetters,
  reconcileDeadLetters,
  visibleDeadLetters,
} from "./deadLetterPass.ts";
import { deadLetterShares } from "./deadLetterShares.ts";

/**
 * The dead-letter pass over every dead-letter queue of the gateway: one per destination on AWS, one shared locally
 * (`deadLetterQueuesOf`). Each queue is first asked how many messages it holds, which is all an empty one costs (one
 * `GetQueueAttributes` a run, as with one queue); the run's budget is then split over the others by what they hold
 * (`deadLetterShares`), and each is passed over with its share. One queue's failure never stops the others.
 */

/** What {@link reconcileEveryDeadLetterQueue} is given: a pass's options, over several queues. */
export interface DeadLetterQueuesPassOptions
  extends Omit<DeadLetterPassOptions, "deadLetterQueueUrl" | "visibleMessages"> {
  /** The distinct dead-letter queues' URLs. */
  deadLetterQueueUrls: readonly string[];
  /** Most messages looked at per run, over all the queues. @default {@link DEFAULT_DEAD_LETTERS_PER_RUN} */
  maxPerRun?: number;
}

// Queues asked, or passed over, at once: a hundred destinations' queues are looked at in a few seconds, and at most
// 10 passes' GetItems (10 each) are in flight.
const QUEUES_AT_ONCE = 10;

/**
 * Counts summed over the queues; `error` is the code of the first queue that could not be read (each is logged with
 * its URL: `oncegate.sweeper.dead_letters_failed`), the others were still read.
 */
export async function reconcileEveryDeadLetterQueue(options: DeadLetterQueuesPassOptions): Promise<DeadLetterCounts> {
  const { deadLetterQueueUrls: urls, ...passOptions } = options;
  const failed: DeadLetterCounts[] = [];
  const visible = await inGroups(urls, async (url) => {
    try {
      return await visibleDeadLetters(options.sqs, url);
    } catch (error) {
      failed.push(deadLetterQueueFailed({ ...options, deadLetterQueueUrl: url }, error));
      return 0;
    }
  });
  const shares = deadLetterShares(visible, options.maxPerRun ?? DEFAULT_DEAD_LETTERS_PER_RUN);
  const passes = await inGroups(
    urls.map((url, index) => ({ url, share: shares[index] ?? 0, visibleMessages: visible[index] ?? 0 })),
    ({ url, share, visibleMessages }) =>
      share === 0
        ? Promise.resolve(noDeadLetters())
        : reconcileDeadLetters({ ...passOptions, deadLetterQueueUrl: url, maxPerRun: share, visibleMessages }),
  );
  return [...failed, ...passes].reduce(sumCounts, noDeadLetters());
}

function sumCounts(total: DeadLetterCounts, counts: DeadLetterCounts): DeadLetterCounts {
  const sum: DeadLetterCounts = {
    read: total.read + counts.read,
    marked: total.marked + counts.marked,
    alreadySettled: total.alreadySettled + counts.alreadySettled,
    missing: total.missing + counts.missing,
    unreadable: total.unreadable + counts.unreadable,
    failed: total.failed + counts.failed,
  };
  const error = total.error ?? counts.error;
  return error === undefined ? sum : { ...sum, error };
}

/** `work` on each item, {@link QUEUES_AT_ONCE} at a time, the results in the items' order. */
async function inGroups<T, R>(items: readonly T[], work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += QUEUES_AT_ONCE) {
    results.push(...(await Promise.all(items.slice(start, start + QUEUES_AT_ONCE).map(work))));
  }
  return results;
}
