import { type DeadLetterQueue, deadLetterQueuesOf, isTemplate } from "../../lambdas/shared/deadLetterQueues.ts";
import { NotFoundError, TargetError } from "../errors.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";

/**
 * Which of the target's dead-letter queues a command reads. On AWS each destination has its own (the stack's
 * `DeadLetterQueueUrl` and `DeadLetterQueueArn` are templates over its `DestinationIds`); the local stack has one
 * that every destination shares. Either way a command reads each distinct queue once (`deadLetterQueuesOf`).
 */

/**
 * The queues that hold the jobs of `destinations` (every destination's when absent). A shared queue is always the
 * one: it holds every destination's jobs, a destination removed from the configuration since included. Under a
 * template, the queues of those destinations that are configured (all of `destinations` when the target does not
 * list its own): a removed destination's queue is gone with it.
 * @throws TargetError `dead_letter_queues_unknown` for every destination's queues under a template when the target
 * does not list its destinations
 */
export function deadLetterQueuesOfTarget(target: OperatorTarget, destinations?: readonly string[]): DeadLetterQueue[] {
  const { deadLetterQueueUrl: url, deadLetterQueueArn: arn, destinationIds: configured } = target.resources;
  if (!isTemplate(url)) return deadLetterQueuesOf(url, arn, configured ?? []);
  if (destinations !== undefined) {
    const known = configured === undefined ? destinations : destinations.filter((id) => configured.includes(id));
    return deadLetterQueuesOf(url, arn, known);
  }
  if (configured === undefined) {
    throw new TargetError(
      "dead_letter_queues_unknown",
      `${target.label} has a dead-letter queue per destination but does not list its destinations (its DestinationIds output): redeploy it with this version (npx cdk deploy).`,
    );
  }
  return deadLetterQueuesOf(url, arn, configured);
}

/**
 * The queues a `dlq` selection reads: with `destination`, only the queue that destination's jobs die in.
 * @throws NotFoundError `no_such_destination` for a destination that has no queue of its own under a template;
 * TargetError as {@link deadLetterQueuesOfTarget}
 */
export function deadLetterQueuesOfSelection(
  target: OperatorTarget,
  selection: { destination?: string },
): DeadLetterQueue[] {
  if (selection.destination === undefined) return deadLetterQueuesOfTarget(target);
  const queues = deadLetterQueuesOfTarget(target, [selection.destination]);
  if (queues.length === 0) {
    const configured = target.resources.destinationIds ?? [];
    throw new NotFoundError(
      "no_such_destination",
      `${selection.destination} is not a destination of ${target.label} (configured: ${configured.join(", ")}), so it has no dead-letter queue.`,
    );
  }
  return queues;
}

// Queues read at once: an empty queue's listing waits out its 1 s long poll, so a hundred destinations' queues are
// read in about 10 s, not 100.
const QUEUES_AT_ONCE = 10;

/**
 * `work` on each queue (or what was read of it), {@link QUEUES_AT_ONCE} at a time, the results in the queues' order. Every queue's work is
 * let finish (each gives back what it received) before the first failure is thrown.
 */
export async function eachDeadLetterQueue<T, R>(queues: readonly T[], work: (queue: T) => Promise<R>): Promise<R[]> {
  const settled: PromiseSettledResult<R>[] = [];
  for (let start = 0; start < queues.length; start += QUEUES_AT_ONCE) {
    settled.push(...(await Promise.allSettled(queues.slice(start, start + QUEUES_AT_ONCE).map(work))));
  }
  const failure = settled.find((result) => result.status === "rejected");
  if (failure !== undefined) throw failure.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<R>).value);
}
