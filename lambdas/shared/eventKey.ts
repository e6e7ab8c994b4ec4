import { createHash } from "node:crypto";
import { InvalidEventIdError, InvalidProviderNameError } from "./errors.ts";

/** Provider names: lowercase ASCII letters, digits and hyphens, 1 to 63 characters, not starting with a hyphen. */
export const PROVIDER_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Longest event id accepted, in UTF-8 bytes; every id up to it gets a partition key within DynamoDB's limit. */
export const MAX_EVENT_ID_BYTES = 1024;

const DYNAMODB_PARTITION_KEY_MAX_BYTES = 2048;
const PROVIDER_NAME_MAX_LENGTH = 63;
// Room left for the encoded id once the longest provider name and its `#` are in the key.
const PERCENT_ENCODED_ID_MAX_LENGTH = DYNAMODB_PARTITION_KEY_MAX_BYTES - PROVIDER_NAME_MAX_LENGTH - 1;
// encodeURIComponent always escapes `=`, so a percent-encoded id can never start with it.
const BASE64URL_ID_MARKER = "=";

/** Throws {@link InvalidProviderNameError} unless `provider` matches {@link PROVIDER_NAME_PATTERN}. */
export function assertProviderName(provider: string): void {
  if (typeof provider !== "string" || !PROVIDER_NAME_PATTERN.test(provider)) {
    throw new InvalidProviderNameError(provider);
  }
}

/** Throws {@link InvalidEventIdError} unless `eventId` is non-empty, well-formed and at most {@link MAX_EVENT_ID_BYTES}. */
export function assertEventId(eventId: string): void {
  if (typeof eventId !== "string") throw new InvalidEventIdError(`expected a string, got ${typeof eventId}`);
  if (eventId.length === 0) throw new InvalidEventIdError("it is empty");
  // A lone surrogate has no UTF-8 form: encoding would replace it with U+FFFD and two ids would share a key.
  if (!eventId.isWellFormed()) throw new InvalidEventIdError("it contains a lone UTF-16 surrogate");
  const bytes = Buffer.byteLength(eventId, "utf8");
  if (bytes > MAX_EVENT_ID_BYTES) {
    throw new InvalidEventIdError(`it is ${bytes} UTF-8 bytes long, the maximum is ${MAX_EVENT_ID_BYTES}`);
  }
}

/**
 * DynamoDB partition key of an accepted event: `provider#` then the event id, encoded so the key is injective.
 *
 * The id is `encodeURIComponent`-encoded (readable, never contains `#`) when that takes at most 1984 characters,
 * and otherwise written as `=` followed by the base64url of its UTF-8 bytes (at most 1366 characters for
 * {@link MAX_EVENT_ID_BYTES}), so every accepted id fits DynamoDB's 2048-byte partition key limit. The two forms
 * cannot collide because a percent-encoded id never starts with `=`. This format is stored data: never change it.
 */
export function eventPartitionKey(provider: string, eventId: string): string {
  assertProviderName(provider);
  assertEventId(eventId);
  const percentEncoded = encodeURIComponent(eventId);
  if (percentEncoded.length <= PERCENT_ENCODED_ID_MAX_LENGTH) return `${provider}#${percentEncoded}`;
  // Percent-encoding triples ids made of escaped characters; base64url grows any id by a third only.
  return `${provider}#${BASE64URL_ID_MARKER}${Buffer.from(eventId, "utf8").toString("base64url")}`;
}

/**
 * Idempotency-Key sent to consumers: `whk_` + base64url(SHA-256(netstring(provider) + netstring(eventId))).
 *
 * A netstring is `<UTF-8 byte length in decimal>:<UTF-8 bytes>,`, so no (provider, eventId) split of the hash
 * input is ambiguous whatever characters the id holds. The key is 47 ASCII characters. Consumers store it:
 * it is stable forever, and the known-answer tests pin it.
 */
export function idempotencyKeyFor(provider: string, eventId: string): string {
  assertProviderName(provider);
  assertEventId(eventId);
  const digest = createHash("sha256").update(netstring(provider)).update(netstring(eventId)).digest("base64url");
  return `whk_${digest}`;
}

function netstring(value: string): Buffer {
  const bytes = Buffer.from(value, "utf8");
  return Buffer.concat([Buffer.from(`${bytes.length}:`, "ascii"), bytes, Buffer.from(",", "ascii")]);
}
