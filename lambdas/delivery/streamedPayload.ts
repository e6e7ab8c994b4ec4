import type { Readable } from "node:stream";

/**
 * A POST body streamed instead of held in memory: an S3 body opened for this attempt (`openBody`), and its length,
 * sent as `Content-Length` (a chunked request is refused by some consumers' front ends, and undici fails the
 * request if the stream's length differs). The attempt owns the stream: it is destroyed when the attempt ends.
 */
export interface StreamedPayload {
  stream: Readable;
  bytes: number;
}

/** Whether an attempt's payload is streamed. */
export function isStreamedPayload(payload: Uint8Array | StreamedPayload): payload is StreamedPayload {
  return !(payload instanceof Uint8Array);
}

/**
 * The `fetch` (undici) options that send `payload` as the request body: the stream as an async iterable with
 * `duplex: "half"` (what fetch requires for a streamed request body), and its `Content-Length`.
 */
export function streamedRequestInit(
  payload: StreamedPayload,
  headers: Record<string, string>,
): { body: AsyncIterable<Uint8Array>; duplex: "half"; headers: Record<string, string> } {
  return { body: payload.stream, duplex: "half", headers: { ...headers, "content-length": String(payload.bytes) } };
}
