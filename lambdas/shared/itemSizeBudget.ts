/**
 * Worst-case size of one event item. The item holds the body, a state per destination and the
 * attempt log, and DynamoDB refuses any write that would take an item past 400 KB: a delivery
 * that can no longer record its attempt would retry until the DLQ. So the configuration is
 * refused up front when its worst case does not fit.
 */

import { MAX_LOGGED_ATTEMPTS_PER_DESTINATION } from "./attemptLog.ts";

/** DynamoDB's item size limit. */
export const DYNAMODB_ITEM_MAX_BYTES = 400 * 1024;
// Keys (up to three copies of a 1 KB event id), selected headers, attributes, timestamps.
const FIXED_OVERHEAD_BYTES = 16 * 1024;
// One attempt entry or destination state: a 1 KB response excerpt plus its numbers and names.
const PER_RECORD_BYTES = 1300;

/**
 * Records one destination can take: its state, and its attempt entries. The log is bounded (`attemptLog`), so
 * duplicate jobs and redrives, which attempt beyond the schedule, never add more than the bound.
 */
function recordsPerDestination(maxAttempts: number): number {
  return Math.min(maxAttempts, MAX_LOGGED_ATTEMPTS_PER_DESTINATION) + 1;
}

/** Largest size an event item can reach for a provider whose events go to `destinationCount` destinations. */
export function worstCaseItemBytes(maxBodyBytes: number, destinationCount: number, maxAttempts: number): number {
  return maxBodyBytes + FIXED_OVERHEAD_BYTES + destinationCount * recordsPerDestination(maxAttempts) * PER_RECORD_BYTES;
}

/** Most destinations one provider's events can go to with this body limit and this many attempts. */
export function maxDestinationsPerEvent(maxBodyBytes: number, maxAttempts: number): number {
  const room = DYNAMODB_ITEM_MAX_BYTES - maxBodyBytes - FIXED_OVERHEAD_BYTES;
  return Math.max(0, Math.floor(room / (recordsPerDestination(maxAttempts) * PER_RECORD_BYTES)));
}
