import { InvalidIdempotencyKeyError } from "./errors.ts";

/**
 * The `Idempotency-Key` header of a request, read the same way on Lambda and by the server adapters (Express,
 * Fastify, Web): sent several times with one value it is that key; with different values it is refused, since
 * which one the sender meant is a guess (one proxy keeps the first line, another the last).
 */

/** The header the key is read from by default (any case). */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

const HEADER = IDEMPOTENCY_KEY_HEADER.toLowerCase();

/**
 * The one value of a header's lines, as `normalizeIdempotencyKey` reads them (trimmed); undefined when none.
 * @throws InvalidIdempotencyKeyError when the lines carry different values
 */
export function keyOfHeaderLines(lines: readonly string[]): string | undefined {
  const values = new Set(lines.map((line) => line.trim()));
  if (values.size > 1) throw new InvalidIdempotencyKeyError("the header appears several times with different values");
  const [value] = values;
  return value;
}

/** The members of Node's `IncomingMessage` (Express's `req`, Fastify's `request.raw`) the key is read from. */
export interface NodeRequestHeaders {
  headers: Record<string, string | string[] | undefined>;
  /** Each line apart (Node 16.17+); `headers` joins a repeated line's values with ", ". */
  headersDistinct?: Record<string, string[] | undefined>;
}

/**
 * The key of a Node request, from `headersDistinct`: `headers` has already joined two lines `a` and `b` into the
 * one value `a, b`, which would be taken for a key. Without it (a test double, Fastify's `inject`), from `headers`.
 * @throws InvalidIdempotencyKeyError when the lines carry different values
 */
export function keyOfNodeRequest(request: NodeRequestHeaders): string | undefined {
  const header = request.headersDistinct?.[HEADER] ?? request.headers[HEADER];
  if (header === undefined) return undefined;
  return keyOfHeaderLines(Array.isArray(header) ? header : [header]);
}

/**
 * The key of a Web `Request`. `Headers` keeps no line apart: `get` answers a repeated header's values joined with
 * ", " (Fetch's combine), and a proxy may join lines the same way (RFC 9110 §5.3). A key may hold a comma
 * (`normalizeIdempotencyKey` refuses only control characters and length), so `a, b` could be one key or two lines;
 * it is read as lines: equal parts are that key, different parts are refused. A sender whose own key holds ", " is
 * told so (`400 invalid_idempotency_key`) rather than having a joined pair taken for a key; `a,b` is unaffected.
 * @throws InvalidIdempotencyKeyError when the parts differ
 */
export function keyOfWebHeaders(headers: Headers): string | undefined {
  const joined = headers.get(HEADER);
  return joined === null ? undefined : keyOfHeaderLines(joined.split(", "));
}

/**
 * The key of an API Gateway HTTP API or Function URL event (payload format 2.0), which has no `multiValueHeaders`:
 * AWS joins a repeated header's lines with "," into one value ("Duplicate headers are combined with commas", API
 * Gateway Developer Guide, "Payload format differences"). Read as lines, as on the Web: equal parts are that key
 * (`k,k` is `k`, so a retry sending the header once meets the same record), different parts are refused; a sender's
 * own key holding a comma between different parts is refused too, on this format only.
 * @throws InvalidIdempotencyKeyError when the parts differ
 */
export function keyOfCommaJoined(value: string): string {
  // A split string has at least one part, so there is always a value.
  return keyOfHeaderLines(value.split(",")) as string;
}
