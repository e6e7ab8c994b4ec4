import { eventPartitionKey, idempotencyKeyFor } from "../../lambdas/shared/eventKey.ts";
import { OperatorUsageError } from "../errors.ts";

/** An event as an operator names it. */
export interface EventRef {
  provider: string;
  eventId: string;
}

/**
 * The provider and event id an events-table key stands for: the inverse of `eventPartitionKey` (`provider#` then
 * the percent-encoded id, or `=` + base64url). `undefined` for a key it cannot have written.
 */
export function eventRefOf(pk: string): EventRef | undefined {
  const split = pk.indexOf("#");
  if (split <= 0) return undefined;
  const provider = pk.slice(0, split);
  const encoded = pk.slice(split + 1);
  let eventId: string;
  try {
    eventId = encoded.startsWith("=")
      ? Buffer.from(encoded.slice(1), "base64url").toString("utf8")
      : decodeURIComponent(encoded);
    // Only a key the encoder gives back is one: this also refuses a malformed or non-canonical one.
    return eventPartitionKey(provider, eventId) === pk ? { provider, eventId } : undefined;
  } catch {
    return undefined;
  }
}

/** The `Idempotency-Key` consumers got for the event of `pk`, or `undefined` when `pk` names no event. */
export function idempotencyKeyOfPk(pk: string): string | undefined {
  const ref = eventRefOf(pk);
  return ref === undefined ? undefined : idempotencyKeyFor(ref.provider, ref.eventId);
}

/**
 * The events-table key of `--event <provider>/<eventId>` (the id may itself hold slashes: everything after the
 * first one).
 * @throws OperatorUsageError `invalid_event` when it names no event the intake could have accepted
 */
export function pkOfEventArgument(text: string): string {
  const slash = text.indexOf("/");
  const provider = slash < 0 ? "" : text.slice(0, slash);
  const eventId = slash < 0 ? "" : text.slice(slash + 1);
  try {
    return eventPartitionKey(provider, eventId);
  } catch (error) {
    throw new OperatorUsageError(
      "invalid_event",
      `--event ${JSON.stringify(text)} names no event (${(error as Error).message}): pass <provider>/<eventId>, e.g. stripe/evt_123.`,
      { cause: error },
    );
  }
}
