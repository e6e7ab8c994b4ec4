import type { DeadLetterQueue } from "../../lambdas/shared/deadLetterQueues.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { type DeadLetter, type DeadLetterSelection, type DeadLetterView, matches } from "./deadLetter.ts";
import { giveBack, ReceiveBudget, receiveDeadLetters } from "./deadLetterQueue.ts";
import { deadLetterQueuesOfSelection, eachDeadLetterQueue } from "./targetDeadLetterQueues.ts";

/** Most messages one listing reads, over every dead-letter queue it reads. */
export const MAX_LISTED = 1000;
/** How long the listing hides what it read, so its own next receives find the others. */
const SCAN_VISIBILITY_SECONDS = 30;

/**
 * The dead-letter queues' jobs (`dlq list`): every destination's queue, or with `selection.destination` only that
 * one's; received with a short visibility timeout and given back, never deleted, oldest first. A message another
 * reader holds at that moment is not seen.
 */
export async function listDeadLetters(
  target: OperatorTarget,
  selection: DeadLetterSelection,
  options: { max?: number; nowMs: () => number },
): Promise<DeadLetterView[]> {
  const letters = await scanDeadLetters(target, deadLetterQueuesOfSelection(target, selection), {
    max: options.max ?? MAX_LISTED,
    nowMs: options.nowMs,
  });
  return letters
    .filter((letter) => matches(letter, selection))
    .map((letter) => letter.view)
    .sort((a, b) => (a.sentAt ?? "").localeCompare(b.sentAt ?? ""));
}

/**
 * Reads `queues` at once, at most `max` messages in all, and gives every message back: what a listing, a dry run
 * and `events show` see. In the queues' order, each queue's in the order received.
 */
export async function scanDeadLetters(
  target: OperatorTarget,
  queues: readonly DeadLetterQueue[],
  options: { max: number; nowMs: () => number; visibilitySeconds?: number },
): Promise<DeadLetter[]> {
  const budget = new ReceiveBudget(options.max);
  const read = await eachDeadLetterQueue(queues, async ({ url }) => {
    const letters = await receiveDeadLetters(target.sqs, url, {
      visibilitySeconds: options.visibilitySeconds ?? SCAN_VISIBILITY_SECONDS,
      max: budget,
      nowMs: options.nowMs,
    });
    await giveBack(target.sqs, url, letters);
    return letters;
  });
  return read.flat();
}
