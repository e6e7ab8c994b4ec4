/**
 * Worst-case size of an event's state item (`sk = "state"`). The body has its own item, written once, and every
 * attempt that leaves its destination PENDING has its own small item, so neither grows the state. What does is one
 * state per destination, each holding its last attempt's response excerpt. DynamoDB refuses any write that would
 * take an item past 400 KB, and a delivery that can no longer record its attempt would retry until the DLQ: a
 * configuration whose worst case does not fit is refused up front.
 */

/** DynamoDB's item size limit. */
export const DYNAMODB_ITEM_MAX_BYTES = 400 * 1024;
// Keys (up to three copies of a 1 KB event id), selected headers, attributes, timestamps, index keys, body reference.
const FIXED_OVERHEAD_BYTES = 16 * 1024;
// One destination's state: a 1 KB response excerpt plus its numbers, names and its id twice (map key, id list).
const PER_DESTINATION_BYTES = 1_400;

/** Largest size a state item can reach for an event going to `destinationCount` destinations. */
export function worstCaseStateBytes(destinationCount: number): number {
  return FIXED_OVERHEAD_BYTES + destinationCount * PER_DESTINATION_BYTES;
}

/** Most destinations one provider's events can go to (280): attempts and bodies no longer share the item. */
export function maxDestinationsPerEvent(): number {
  return Math.floor((DYNAMODB_ITEM_MAX_BYTES - FIXED_OVERHEAD_BYTES) / PER_DESTINATION_BYTES);
}
