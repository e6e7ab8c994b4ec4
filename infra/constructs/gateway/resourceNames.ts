import { Token } from "aws-cdk-lib";

/** The physical names of the gateway's stateful resources. */
export interface GatewayResourceNames {
  readonly eventsTable: string;
  readonly deliveryQueue: string;
  readonly deadLetterQueue: string;
}

const SUFFIXES = { eventsTable: "-events", deliveryQueue: "-delivery", deadLetterQueue: "-dead-letters" } as const;

// SQS queue names: letters, digits, hyphens and underscores, at most 80 characters (the tightest of the three).
const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
const MAX_QUEUE_NAME_LENGTH = 80;
const MAX_PREFIX_LENGTH = MAX_QUEUE_NAME_LENGTH - SUFFIXES.deadLetterQueue.length;

/**
 * Fixed physical names, `<prefix>-events`, `<prefix>-delivery`, `<prefix>-dead-letters`. With a fixed name,
 * CloudFormation cannot replace the resource (it would have to create a second one under the same name), so a
 * change that would replace the events table with an empty one fails the deployment instead of succeeding
 * silently. The names do not depend on the construct's path: moving the construct keeps them.
 * @throws Error naming `resourceNamePrefix` when the names would be invalid
 */
export function gatewayResourceNames(prefix: string): GatewayResourceNames {
  if (!Token.isUnresolved(prefix) && (!NAME_PATTERN.test(prefix) || prefix.length > MAX_PREFIX_LENGTH)) {
    throw new Error(
      `resourceNamePrefix: ${JSON.stringify(prefix)} must be 1 to ${MAX_PREFIX_LENGTH} letters, digits, hyphens or ` +
        "underscores (the dead-letter queue's name adds 13 characters, and SQS allows 80); give one explicitly",
    );
  }
  return {
    eventsTable: `${prefix}${SUFFIXES.eventsTable}`,
    deliveryQueue: `${prefix}${SUFFIXES.deliveryQueue}`,
    deadLetterQueue: `${prefix}${SUFFIXES.deadLetterQueue}`,
  };
}
