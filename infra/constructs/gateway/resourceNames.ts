import { createHash } from "node:crypto";
import { Token } from "aws-cdk-lib";
import { InvalidConfigurationError } from "../../../lambdas/shared/errors.ts";
import { DESTINATION_PLACEHOLDER } from "../../../lambdas/shared/jobQueueUrl.ts";
import { pascalCase } from "../names.ts";

/** The physical names of the gateway's stateful resources. */
export interface GatewayResourceNames {
  /** `<prefix>-events`. */
  readonly eventsTable: string;
  /** `og<8 hex>`: the start of every queue's name, {@link jobQueueName} and {@link deadLetterQueueName}. */
  readonly queueBase: string;
}

const EVENTS_TABLE_SUFFIX = "-events";
/** Ends every dead-letter queue's name: `<base>-<destination>-dlq`. */
export const DEAD_LETTER_QUEUE_SUFFIX = "-dlq";

// The prefix's bound from when it also started the queues' names (`<prefix>-dead-letters`, within SQS's 80
// characters): kept, so that a prefix refused before is refused still.
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const MAX_PREFIX_LENGTH = 67;

/**
 * Fixed physical names: the table `<prefix>-events`, and per destination a job queue `<base>-<id>` and its
 * dead-letter queue `<base>-<id>-dlq`, where `<base>` is `og` and the first 8 hex digits of the prefix's SHA-256.
 * With a fixed name, CloudFormation cannot replace the resource (it would have to create a second one under the same
 * name), so a change that would replace the events table with an empty one fails the deployment instead of
 * succeeding silently. The names do not depend on the construct's path: moving the construct keeps them.
 *
 * Hashed because SQS allows 80 characters in a queue's name and a destination id may take 63 of them: the prefix
 * (up to 67) would not fit beside it, a 10-character base does (78 at most). 32 bits tell two gateways of one
 * account apart; they are not a secret.
 * @throws Error naming `resourceNamePrefix` when it is invalid or a deploy-time value
 */
export function gatewayResourceNames(prefix: string): GatewayResourceNames {
  if (Token.isUnresolved(prefix)) {
    throw new Error("resourceNamePrefix: must be known at synth time (the queues' names are derived from it)");
  }
  if (!NAME_PATTERN.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
    throw new Error(
      `resourceNamePrefix: ${JSON.stringify(prefix)} must be 1 to ${MAX_PREFIX_LENGTH} letters, digits, hyphens or ` +
        "underscores; give one explicitly",
    );
  }
  const hash = createHash("sha256").update(prefix).digest("hex").slice(0, 8);
  return { eventsTable: `${prefix}${EVENTS_TABLE_SUFFIX}`, queueBase: `og${hash}` };
}

/** The name of `destination`'s job queue, `<base>-<destination>` (a template with {@link DESTINATION_PLACEHOLDER}). */
export function jobQueueName(queueBase: string, destination: string = DESTINATION_PLACEHOLDER): string {
  return `${queueBase}-${destination}`;
}

/** The name of `destination`'s dead-letter queue, `<base>-<destination>-dlq`. */
export function deadLetterQueueName(queueBase: string, destination: string = DESTINATION_PLACEHOLDER): string {
  return `${jobQueueName(queueBase, destination)}${DEAD_LETTER_QUEUE_SUFFIX}`;
}

/**
 * Refuses destination ids that would name the same resources as another: an id ending in `-dlq` (`orders-dlq`'s job
 * queue would be `orders`' dead-letter queue, and the operators' `<base>-*-dlq` grant would cover it), and two ids
 * with one construct id (`a-b` and `a--b` are both `AB`).
 * @throws {@link InvalidConfigurationError} naming `destinations[i].id`
 */
export function checkDestinationIds(ids: readonly string[]): void {
  const byConstructId = new Map<string, string>();
  ids.forEach((id, index) => {
    const field = `destinations[${index}].id`;
    if (id.endsWith(DEAD_LETTER_QUEUE_SUFFIX)) {
      throw new InvalidConfigurationError(
        field,
        `"${id}" ends with "${DEAD_LETTER_QUEUE_SUFFIX}", which ends the dead-letter queues' names: choose another id`,
      );
    }
    const constructId = pascalCase(id);
    const other = byConstructId.get(constructId);
    if (other !== undefined) {
      throw new InvalidConfigurationError(
        field,
        `"${id}" and "${other}" would name the same resources (${constructId}): change one`,
      );
    }
    byConstructId.set(constructId, id);
  });
}
