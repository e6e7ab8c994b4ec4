/** An inbound webhook request exactly as received, which is what every scheme signs. */
export interface SignedRequest {
  /** Exact bytes received (already base64-decoded if API Gateway said `isBase64Encoded`). */
  rawBody: Buffer;
  /** Header names already lower-cased. */
  headers: Record<string, string>;
  /** HTTP method, e.g. "POST". */
  method: string;
  /** Path as received, e.g. "/webhooks/keygen". */
  rawPath: string;
  /** Query string as received, without the `?` ("" or absent when there is none). Keygen signs it with the path. */
  rawQueryString?: string;
}

/** Why a request was refused, in the order the checks run. */
export type VerifyError =
  | "invalid_signature"
  | "stale_timestamp"
  | "missing_event_id"
  | "missing_hook_id"
  | "malformed_payload";

/** A request whose signature verified and whose event id was found. */
export interface VerifySuccess {
  ok: true;
  eventId: string;
  /** Extra values worth recording, e.g. Shopify's `x-shopify-event-id` or the topic. */
  attributes?: Record<string, string>;
}

/** A refused request; `message` says what was wrong without revealing secrets. */
export interface VerifyFailure {
  ok: false;
  error: VerifyError;
  message: string;
}

/** Outcome of verifying a signed request. */
export type VerifyResult = VerifySuccess | VerifyFailure;
