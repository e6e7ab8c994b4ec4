import type { OperatorTarget } from "../target/operatorTarget.ts";
import { type DeadLetterSelection, type DeadLetterView, matches } from "./deadLetter.ts";
import { giveBack, receiveDeadLetters } from "./deadLetterQueue.ts";

/** Most messages one listing reads. */
export const MAX_LISTED = 1000;
/** How long the listing hides what it read, so its own next receives find the others. */
const SCAN_VISIBILITY_SECONDS = 30;

/**
 * The dead-letter queue's jobs (`dlq list`): received with a short visibility timeout and given back, never deleted,
 * oldest first. A message another reader holds at that moment is not seen.
 */
export async function listDeadLetters(
  target: OperatorTarget,
  selection: DeadLetterSelection,
  options: { max?: number; nowMs: () => number },
): Promise<DeadLetterView[]> {
  const url = target.resources.deadLetterQueueUrl;
  const letters = await receiveDeadLetters(target.sqs, url, {
    visibilitySeconds: SCAN_VISIBILITY_SECONDS,
    max: options.max ?? MAX_LISTED,
    nowMs: options.nowMs,
  });
  await giveBack(target.sqs, url, letters);
  return letters
    .filter((letter) => matches(letter, selection))
    .map((letter) => letter.view)
    .sort((a, b) => (a.sentAt ?? "").localeCompare(b.sentAt ?? ""));
}
