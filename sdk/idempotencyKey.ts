import { InvalidIdempotencyKeyError, MissingIdempotencyKeyError } from "./errors.ts";

/** Longest idempotency key accepted, in characters. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

// C0 controls, DEL and C1 controls: invisible, and they break logs and header round-trips.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Trims and validates a raw key.
 * @throws MissingIdempotencyKeyError when absent or blank; InvalidIdempotencyKeyError when too long or with control characters.
 */
export function normalizeIdempotencyKey(raw: string | undefined | null): string {
  if (raw === undefined || raw === null) throw new MissingIdempotencyKeyError();
  const key = raw.trim();
  if (key === "") throw new MissingIdempotencyKeyError("the Idempotency-Key header is empty");
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw new InvalidIdempotencyKeyError(`longer than ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  if (CONTROL_CHARACTERS.test(key)) throw new InvalidIdempotencyKeyError("contains control characters");
  return key;
}

/**
 * The DynamoDB partition key of a record: `scope#key`. The scope is percent-encoded so it holds no
 * `#`: the first `#` is always the separator, and (scope "a#b", key "c") cannot collide with
 * (scope "a", key "b#c").
 */
export function recordId(scope: string, key: string): string {
  return `${encodeURIComponent(scope)}#${key}`;
}
