import type { S3Client } from "@aws-sdk/client-s3";
import { openBody } from "../shared/body/s3BodyStore.ts";
import type { EventState } from "../shared/eventRecord.ts";
import type { EventsTable } from "../shared/eventStore.ts";
import type { AttemptTrigger } from "./attemptTrigger.ts";
import { readBody } from "./deliveryStore.ts";
import { outboundHeaders, presignedOutboundHeaders } from "./outboundHeaders.ts";
import { signStreamed } from "./signStreamed.ts";
import type { StreamedPayload } from "./streamedPayload.ts";

/** What one attempt POSTs: its headers (signed) and its body, in memory or streamed. */
export interface PreparedPost {
  headers: Record<string, string>;
  payload: Uint8Array | StreamedPayload;
}

export interface PreparePostInput {
  state: EventState;
  attempt: number;
  trigger: AttemptTrigger;
  timestampSec: number;
  signingSecrets: readonly string[];
}

/** Where bodies are read from. */
export interface BodySources {
  table: EventsTable;
  s3: S3Client;
}

/**
 * The signed headers and the body of an attempt. An inline body is read from its item and signed in memory. An
 * S3 body is streamed twice, never held whole: once through `signStreamed` (the whole object verified against its
 * length and SHA-256 before anything is sent), then opened again for the POST, which owns that stream. Returns
 * undefined when an inline body item is gone (TTL removes an event's items in no particular order).
 * @throws the S3 client's error or a `BodyIntegrityError` when an S3 body cannot be read (`isLastingBodyFailure`)
 */
export async function preparePost(sources: BodySources, input: PreparePostInput): Promise<PreparedPost | undefined> {
  const { state } = input;
  const common = {
    idempotencyKey: state.idempotencyKey,
    provider: state.provider,
    eventId: state.eventId,
    contentType: state.contentType,
    attempt: input.attempt,
    trigger: input.trigger,
    timestampSec: input.timestampSec,
  };
  if (state.body?.kind !== "s3") {
    const payload = await readBody(sources.table, state.pk);
    if (payload === undefined) return undefined;
    return { headers: outboundHeaders({ ...common, payload, signingSecrets: input.signingSecrets }), payload };
  }
  const ref = state.body;
  const id = state.idempotencyKey;
  const signed = await signStreamed({
    id,
    timestampSec: input.timestampSec,
    secrets: input.signingSecrets,
    body: await openBody(sources.s3, ref),
  });
  const headers = presignedOutboundHeaders({ ...common, signatures: signed.signatures });
  return { headers, payload: { stream: await openBody(sources.s3, ref), bytes: ref.bytes } };
}
