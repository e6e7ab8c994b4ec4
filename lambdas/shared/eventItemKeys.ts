import { ATTEMPT_SK_PREFIX, BODY_SK, STATE_SK } from "./eventRecord.ts";

/**
 * The keys of an event's items, as DynamoDB attribute values. A destination id matches `^[a-z0-9][a-z0-9-]{0,62}$`
 * (no `#`), so `attempt#<destination>#` prefixes the attempts of exactly one destination.
 */

type Key = { pk: { S: string }; sk: { S: string } };

/** Digits of an attempt's number in its sort key: sorted as text, they sort as numbers up to 99 999 attempts. */
const ATTEMPT_NUMBER_DIGITS = 5;

export function stateKey(pk: string): Key {
  return { pk: { S: pk }, sk: { S: STATE_SK } };
}

export function bodyKey(pk: string): Key {
  return { pk: { S: pk }, sk: { S: BODY_SK } };
}

/** `attempt#<destination>#<number, zero-padded>`: a destination's attempts sort in the order they were made. */
export function attemptSortKey(destination: string, attempt: number): string {
  return `${attemptSortKeyPrefix(destination)}${String(attempt).padStart(ATTEMPT_NUMBER_DIGITS, "0")}`;
}

/** The prefix of every attempt item of `destination`. */
export function attemptSortKeyPrefix(destination: string): string {
  return `${ATTEMPT_SK_PREFIX}${destination}#`;
}
