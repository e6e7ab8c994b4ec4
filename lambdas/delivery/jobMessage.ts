import type { DeliveryJob } from "../shared/eventRecord.ts";

// DynamoDB's partition key limit and DestinationConfig's id rule: anything outside them names no event.
const MAX_PK_LENGTH = 2048;
const DESTINATION_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** The job in a message body, or `undefined` when the body is not a `DeliveryJob` (it never could be delivered). */
export function parseDeliveryJob(body: string): DeliveryJob | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { pk, destination } = value as Record<string, unknown>;
  if (typeof pk !== "string" || pk.length === 0 || pk.length > MAX_PK_LENGTH) return undefined;
  if (typeof destination !== "string" || !DESTINATION_ID.test(destination)) return undefined;
  return { pk, destination };
}

/**
 * SQS's `ApproximateReceiveCount`, which counts this receive. It is not the attempt number (attempts are counted in
 * the event); it feeds the infrastructure backoff and the last-receive check. A missing or unreadable count is
 * taken as 1: the first receive is the one that can never be wrongly taken for the last.
 */
export function receiveCountOf(attributes: { ApproximateReceiveCount?: string } | undefined): number {
  const count = Number(attributes?.ApproximateReceiveCount);
  return Number.isSafeInteger(count) && count >= 1 ? count : 1;
}
