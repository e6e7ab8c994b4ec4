import { signStandardWebhook } from "../intake/signatures/standard.ts";
import { isSendableHeaderValue } from "../shared/headerValue.ts";
import type { AttemptTrigger } from "./attemptTrigger.ts";

/** Oncegate's release, sent in `User-Agent`; a unit test keeps it equal to `package.json`'s version. */
export const ONCEGATE_VERSION = "0.1.0";

/** `Content-Type` sent when the provider's request had none. */
export const DEFAULT_CONTENT_TYPE = "application/json";

/** What the outbound headers are built from. */
export interface OutboundHeadersInput {
  idempotencyKey: string;
  provider: string;
  eventId: string;
  contentType: string | undefined;
  /** 1-based attempt number. */
  attempt: number;
  /** Why it is made (`attemptTriggerOf`), sent as `Oncegate-Attempt-Trigger`. */
  trigger: AttemptTrigger;
  /** Signing time, in whole unix seconds. */
  timestampSec: number;
  /** The exact bytes POSTed: what the signature covers. */
  payload: Uint8Array;
  /** `whsec_…` secrets: one `v1,` signature each, so consumers verify during a rotation with either. */
  signingSecrets: readonly string[];
}

/** The same, for a body signed while it streamed (`signStreamed`): its `v1,` signatures instead of its bytes. */
export interface PresignedHeadersInput extends Omit<OutboundHeadersInput, "payload" | "signingSecrets"> {
  /** One `v1,<base64>` entry per signing secret, in the secrets' order. */
  signatures: readonly string[];
}

/**
 * The headers of a delivery: the stable `Idempotency-Key`, a Standard Webhooks signature (`webhook-id` is the
 * idempotency key, so it too is the same on every attempt), and Oncegate's own `Oncegate-*` headers.
 */
export function outboundHeaders(input: OutboundHeadersInput): Record<string, string> {
  const body = Buffer.from(input.payload.buffer, input.payload.byteOffset, input.payload.byteLength);
  const signatures = input.signingSecrets.map((secret) =>
    signStandardWebhook({ id: input.idempotencyKey, timestampSec: input.timestampSec, body, secret }),
  );
  return presignedOutboundHeaders({ ...input, signatures });
}

/** {@link outboundHeaders} for a body already signed, e.g. streamed from the body bucket (`signStreamed`). */
export function presignedOutboundHeaders(input: PresignedHeadersInput): Record<string, string> {
  return {
    // The intake drops unsendable values; an item stored before it did must not fail every attempt either.
    "content-type":
      input.contentType !== undefined && isSendableHeaderValue(input.contentType)
        ? input.contentType
        : DEFAULT_CONTENT_TYPE,
    "idempotency-key": input.idempotencyKey,
    "webhook-id": input.idempotencyKey,
    "webhook-timestamp": String(input.timestampSec),
    "webhook-signature": input.signatures.join(" "),
    "oncegate-provider": input.provider,
    "oncegate-event-id": eventIdHeaderValue(input.eventId),
    "oncegate-attempt": String(input.attempt),
    "oncegate-attempt-trigger": input.trigger,
    "user-agent": `Oncegate/${ONCEGATE_VERSION}`,
  };
}

// Visible ASCII except `%`. Spaces are left out too: header values lose leading and trailing whitespace.
const HEADER_SAFE = /^[\x21-\x24\x26-\x7e]+$/;

/**
 * The event id as an `Oncegate-Event-Id` value: as it is when it is visible ASCII without `%`, otherwise
 * percent-encoded (`encodeURIComponent`). Either way, percent-decoding the header gives the id back, and two
 * ids never share a value, since an id holding `%` is always encoded.
 */
export function eventIdHeaderValue(eventId: string): string {
  if (HEADER_SAFE.test(eventId)) return eventId;
  // Ids are checked well-formed at intake; toWellFormed keeps encodeURIComponent from throwing on stored junk.
  return encodeURIComponent(eventId.toWellFormed());
}
