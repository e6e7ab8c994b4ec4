import { DESTINATION_PLACEHOLDER, jobQueueUrl } from "./jobQueueUrl.ts";

/**
 * The dead-letter queues a gateway's jobs die in. On AWS each destination's job queue has a DLQ of its own, so the
 * DLQ's URL (`ONCEGATE_DEAD_LETTER_QUEUE_URL`, the stack's `DeadLetterQueueUrl`) and ARN (`DeadLetterQueueArn`) are
 * templates with `{destination}` in the queue's name, as the job queue's is (`jobQueueUrl`); the local stack keeps
 * one DLQ that every destination shares, a URL without it. Every reader (the sweeper's dead-letter pass, `dlq list`,
 * `dlq redrive`, `events show`) goes over the distinct queues this module names, never over the ids themselves: a
 * shared queue read once per destination would be read, and its messages counted, several times. No AWS import.
 */

/** One dead-letter queue and the destinations whose jobs die in it. */
export interface DeadLetterQueue {
  url: string;
  /** Its ARN (what a message move task names), when an ARN (template) was given. */
  arn?: string;
  /** Configured destinations whose jobs it holds, in configuration order: all of them for a shared queue. */
  destinations: string[];
}

/**
 * The distinct DLQs of `destinationIds` under `urlTemplate` (a shared URL, or a template) and `arnTemplate` (the
 * same rule: expanded when it holds the placeholder). A shared queue is named once, with every id, and even with
 * none (its URL needs no id to be read); a template names one queue per distinct id, and none without ids. The URL
 * and ARN templates agree (both hold the placeholder or neither: `stackOutputs` refuses a stack where they do not);
 * should they not, a queue's ARN is expanded with its first destination.
 */
export function deadLetterQueuesOf(
  urlTemplate: string,
  arnTemplate: string | undefined,
  destinationIds: readonly string[],
): DeadLetterQueue[] {
  const byUrl = new Map<string, DeadLetterQueue>();
  if (!isTemplate(urlTemplate)) {
    byUrl.set(urlTemplate, {
      url: urlTemplate,
      ...(arnTemplate !== undefined && { arn: jobQueueUrl(arnTemplate, destinationIds[0] ?? "") }),
      destinations: [],
    });
  }
  for (const id of destinationIds) {
    const url = jobQueueUrl(urlTemplate, id);
    let queue = byUrl.get(url);
    if (queue === undefined) {
      queue = { url, ...(arnTemplate !== undefined && { arn: jobQueueUrl(arnTemplate, id) }), destinations: [] };
      byUrl.set(url, queue);
    }
    if (!queue.destinations.includes(id)) queue.destinations.push(id);
  }
  return [...byUrl.values()];
}

/** Whether `url` names one queue per destination (holds `{destination}`) rather than one shared queue. */
export function isTemplate(url: string): boolean {
  return url.includes(DESTINATION_PLACEHOLDER);
}
