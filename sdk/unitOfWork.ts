import { ConfigurationError, InvalidIdempotencyKeyError, MissingIdempotencyKeyError } from "./errors.ts";
import {
  type EventShape,
  eventShapeOf,
  type HttpLikeEvent,
  httpBodyOf,
  readHeader,
  type SqsRecordLike,
} from "./eventShape.ts";
import { fingerprintOf } from "./fingerprint.ts";
import { normalizeIdempotencyKey } from "./idempotencyKey.ts";
import { IDEMPOTENCY_KEY_HEADER, keyOfCommaJoined } from "./idempotencyKeyHeader.ts";

export { IDEMPOTENCY_KEY_HEADER } from "./idempotencyKeyHeader.ts";

/** The SQS message attribute the key is read from by default (the header: `IDEMPOTENCY_KEY_HEADER`). */
export const IDEMPOTENCY_KEY_ATTRIBUTE = "IdempotencyKey";

/** What is claimed for one unit of work: the validated key and the payload fingerprint. */
export interface UnitOfWork {
  key: string;
  fingerprint: string;
}

type GetKey = ((event: unknown) => string | undefined) | undefined;

/**
 * Reads key and fingerprint from a single-unit event (HTTP, EventBridge, or any event with `getKey`).
 * @throws MissingIdempotencyKeyError, InvalidIdempotencyKeyError
 */
export function unitOfEvent(event: unknown, shape: EventShape, getKey: GetKey): UnitOfWork {
  if (shape === "http") {
    const http = event as HttpLikeEvent;
    let raw: string | undefined;
    if (getKey) raw = getKey(event);
    else {
      const header = readHeader(http, IDEMPOTENCY_KEY_HEADER);
      if (header.conflict)
        throw new InvalidIdempotencyKeyError("the header appears several times with different values");
      raw = header.value !== undefined && http.version === "2.0" ? keyOfCommaJoined(header.value) : header.value;
    }
    return { key: normalizeIdempotencyKey(raw), fingerprint: fingerprintOf(rawBodyOf(http)) };
  }
  if (shape === "eventbridge") {
    const e = event as { id: string; source?: unknown; "detail-type"?: unknown; detail?: unknown };
    const payload = { source: e.source, "detail-type": e["detail-type"], detail: e.detail };
    return { key: normalizeIdempotencyKey(getKey ? getKey(event) : e.id), fingerprint: fingerprintOf(payload) };
  }
  if (!getKey) {
    throw new MissingIdempotencyKeyError(
      "this event is not an HTTP, SQS or EventBridge event: pass a `getKey(event)` option to say where its key is",
    );
  }
  return { key: normalizeIdempotencyKey(getKey(event)), fingerprint: fingerprintOf(event) };
}

/**
 * The body's bytes as the sender sent them. A body that reaches us already parsed (a body parser placed before
 * `idempotency()`, and Middy 7's parsers keep no raw copy) could only be fingerprinted from its parsed form, where
 * payloads that differ (`9007199254740993` and `…992`, a duplicated key) look alike and one would replay the
 * other's answer: refused, naming the fix.
 * @throws ConfigurationError
 */
function rawBodyOf(http: HttpLikeEvent): string | Buffer | null {
  const body = httpBodyOf(http);
  if (body === null || typeof body === "string" || Buffer.isBuffer(body)) return body;
  throw new ConfigurationError(
    "middleware order",
    "the request body reached idempotency() already parsed, so its raw bytes cannot be fingerprinted: use idempotency() before body parsers such as @middy/http-json-body-parser",
  );
}

/**
 * Reads key and fingerprint from one SQS record: `getKey(record)` when given, else the
 * `IdempotencyKey` message attribute. The fingerprint covers the message body.
 * @throws MissingIdempotencyKeyError, InvalidIdempotencyKeyError
 */
export function unitOfSqsRecord(record: SqsRecordLike, getKey: GetKey): UnitOfWork {
  const raw = getKey ? getKey(record) : record.messageAttributes?.[IDEMPOTENCY_KEY_ATTRIBUTE]?.stringValue;
  return { key: normalizeIdempotencyKey(raw), fingerprint: fingerprintOf(record.body) };
}

export { eventShapeOf };
