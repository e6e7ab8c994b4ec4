import { InvalidIdempotencyKeyError, MissingIdempotencyKeyError } from "./errors.ts";
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

/** The header, SQS message attribute and EventBridge field the key is read from by default. */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
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
      raw = header.value;
    }
    return { key: normalizeIdempotencyKey(raw), fingerprint: fingerprintOf(httpBodyOf(http)) };
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
 * Reads key and fingerprint from one SQS record: `getKey(record)` when given, else the
 * `IdempotencyKey` message attribute. The fingerprint covers the message body.
 * @throws MissingIdempotencyKeyError, InvalidIdempotencyKeyError
 */
export function unitOfSqsRecord(record: SqsRecordLike, getKey: GetKey): UnitOfWork {
  const raw = getKey ? getKey(record) : record.messageAttributes?.[IDEMPOTENCY_KEY_ATTRIBUTE]?.stringValue;
  return { key: normalizeIdempotencyKey(raw), fingerprint: fingerprintOf(record.body) };
}

export { eventShapeOf };
