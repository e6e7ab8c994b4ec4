import { InvalidConfigurationError } from "./errors.ts";

/**
 * Where a destination's delivery jobs go. `ONCEGATE_DELIVERY_QUEUE_URL` is either one queue's URL, shared by every
 * destination, or a template whose last path segment holds `{destination}` once, naming one queue per destination
 * (e.g. `https://sqs.us-east-1.amazonaws.com/123456789012/og1a2b3c4d-{destination}`). A template, not a URL per
 * destination: a Lambda's environment holds 4 KB in all, and a hundred destinations' URLs would not fit beside the
 * configuration. Every path that puts a job on a queue (intake, sweeper, replay, redrive) and the delivery's
 * visibility changes address the job's queue through {@link jobQueueUrl}.
 */
export const DESTINATION_PLACEHOLDER = "{destination}";

/**
 * The queue URL of `destination`'s jobs under `queueUrl` (a shared URL, returned as it is, or a template).
 * `destination` is a configured destination id (`^[a-z0-9][a-z0-9-]{0,62}$`), valid in a queue name as it is.
 */
export function jobQueueUrl(queueUrl: string, destination: string): string {
  return queueUrl.includes(DESTINATION_PLACEHOLDER) ? queueUrl.replace(DESTINATION_PLACEHOLDER, destination) : queueUrl;
}

/**
 * `queueUrl`, checked once at start: an absolute http(s) URL, with `{destination}` at most once and only in its last
 * path segment (the queue's name; anywhere else it would name another account or host per destination), and every
 * destination's queue name within SQS's 80 characters.
 * @throws {@link InvalidConfigurationError} naming `variable`
 */
export function checkedJobQueueUrl(variable: string, queueUrl: string, destinationIds: readonly string[] = []): string {
  const count = queueUrl.split(DESTINATION_PLACEHOLDER).length - 1;
  if (count > 1) throw new InvalidConfigurationError(variable, `holds ${DESTINATION_PLACEHOLDER} ${count} times`);
  let url: URL;
  try {
    // The placeholder's braces are not valid in a URL as they are: checked with a name in their place.
    url = new URL(queueUrl.replace(DESTINATION_PLACEHOLDER, "destination"));
  } catch {
    throw new InvalidConfigurationError(variable, "is not an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InvalidConfigurationError(variable, "must be an http(s) URL");
  if (count === 1) {
    const lastSegment = queueUrl.slice(queueUrl.lastIndexOf("/") + 1);
    if (!lastSegment.includes(DESTINATION_PLACEHOLDER) || url.search !== "" || url.hash !== "")
      throw new InvalidConfigurationError(
        variable,
        `${DESTINATION_PLACEHOLDER} must be in the queue's name, the URL's last path segment`,
      );
    // SQS: "A queue name can have up to 80 characters" (CreateQueue, QueueName).
    const tooLong = destinationIds.find((id) => lastSegment.replace(DESTINATION_PLACEHOLDER, id).length > 80);
    if (tooLong !== undefined)
      throw new InvalidConfigurationError(
        variable,
        `the queue name of destination "${tooLong}" would be over SQS's 80 characters`,
      );
  }
  return queueUrl;
}
