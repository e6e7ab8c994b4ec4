import { Buffer } from "node:buffer";
import type { Request as ExpressRequest, Response as ExpressResponse } from "express";
import { fingerprintOf } from "./fingerprint.ts";
import { normalizeIdempotencyKey } from "./idempotencyKey.ts";
import { keyOfNodeRequest, type NodeRequestHeaders } from "./idempotencyKeyHeader.ts";
import type { IdempotencyOptions } from "./options.ts";
import { type ClaimedCall, claimedCall } from "./runClaimed.ts";
import { answerOnce, resultAnswer, type ServerAnswer, serverOptions, storedHeaders } from "./serverAnswer.ts";
import type { UnitOfWork } from "./unitOfWork.ts";

/**
 * `@oncegate/sdk/express`: WebhookGate's locked API on Express 4 and 5.
 *
 *   app.use(express.json({ verify: keepRawBody }));
 *   app.post("/webhooks/stripe", idempotent(async ({ req, res, event, db, key }) => { … }));
 *
 * The key is the `Idempotency-Key` header; the table is `ONCEGATE_IDEMPOTENCY_TABLE` and the scope
 * `ONCEGATE_SCOPE` (else `default`) unless options say otherwise. Nothing but types is imported from Express (its
 * `Request` and `Response` are the handler's defaults): the request and response are used through the few members
 * every Express version has.
 */

/** The members of Express's `req` the adapter reads. */
export interface ExpressRequestLike extends NodeRequestHeaders {
  body?: unknown;
  /** The body's bytes as received, kept by {@link keepRawBody}. */
  rawBody?: Buffer;
}

/** The members of Node's `ServerResponse` (Express's `res` extends it) the adapter captures and writes. */
export interface ExpressResponseLike {
  statusCode: number;
  headersSent: boolean;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  getHeaders(): Record<string, number | string | string[] | undefined>;
  removeHeader(name: string): void;
  writeHead(...args: unknown[]): unknown;
  write(...args: unknown[]): boolean;
  end(...args: unknown[]): unknown;
}

/** What an Express handler receives. */
export interface ExpressIdempotentInput<Req extends ExpressRequestLike, Res extends ExpressResponseLike>
  extends ClaimedCall {
  req: Req;
  /** Answer through it as usual (`res.status(201).json(…)`): what it writes is held until the completion commits. */
  res: Res;
  /** The parsed body (`req.body`). */
  event: unknown;
}

export type ExpressIdempotentHandler<Req extends ExpressRequestLike, Res extends ExpressResponseLike> = (
  input: ExpressIdempotentInput<Req, Res>,
) => unknown | Promise<unknown>;

/**
 * The `verify` hook of `express.json()` (and of `express.raw()`/`text()`) that keeps the body's bytes, so the
 * payload fingerprint is of what the sender sent: `app.use(express.json({ verify: keepRawBody }))`.
 */
export function keepRawBody(req: ExpressRequestLike, _res: unknown, buffer: Buffer): void {
  req.rawBody = Buffer.from(buffer);
}

/**
 * Wraps an Express handler so it runs at most once per `Idempotency-Key`. A duplicate gets the first answer's
 * status, headers and body again (with `Idempotency-Status: replayed`), whether the handler answered through `res`
 * or returned a value (`200 {"ok":true,"result":…}`; nothing: `200 {"ok":true}`).
 * @throws ConfigurationError at once when no table is configured
 */
export function idempotent<
  Req extends ExpressRequestLike = ExpressRequest,
  Res extends ExpressResponseLike = ExpressResponse,
>(
  handler: ExpressIdempotentHandler<Req, Res>,
  input: Partial<IdempotencyOptions> = {},
): (req: Req, res: Res, next: (error?: unknown) => void) => Promise<void> {
  const { options, scope } = serverOptions(input);
  return async (req, res, next) => {
    // Released once the answer is settled, not when the handler returns: a handler past its deadline may still be
    // running, and what it writes then must neither leave nor stay held in place of the 504.
    let capture: ReturnType<typeof captureAnswer> | undefined;
    try {
      const answer = await answerOnce(
        options,
        scope,
        () => unitOfRequest(req, options.getKey),
        async (claim, signal) => {
          capture = captureAnswer(res);
          const result = await handler({ req, res, event: req.body, ...claimedCall(claim, signal) });
          return capture.answer() ?? resultAnswer(result);
        },
      );
      capture?.release();
      send(res, answer);
    } catch (error) {
      capture?.release();
      // Only a ConfigurationError or an error that is not the SDK's: Express's error handling takes it.
      next(error);
    }
  };
}

/** The key from the header (or `getKey(req)`) and the fingerprint of the raw body, else of the parsed one. */
function unitOfRequest(
  req: ExpressRequestLike,
  getKey: ((event: unknown) => string | undefined) | undefined,
): UnitOfWork {
  const raw = getKey ? getKey(req) : keyOfNodeRequest(req);
  const payload =
    req.rawBody ?? (typeof req.body === "string" || Buffer.isBuffer(req.body) ? req.body : (req.body ?? null));
  return { key: normalizeIdempotencyKey(raw), fingerprint: fingerprintOf(payload) };
}

/**
 * Holds what the handler writes through `res` (status, headers, body) instead of sending it, until `release`: the
 * answer leaves only once the completion is committed (or is replaced by an error if it is not).
 */
function captureAnswer(res: ExpressResponseLike) {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  const chunks: Buffer[] = [];
  let ended = false;
  let released = false;
  const bytes = (chunk: unknown, encoding: unknown) =>
    typeof chunk === "string"
      ? Buffer.from(chunk, typeof encoding === "string" ? (encoding as BufferEncoding) : "utf8")
      : Buffer.from(chunk as Uint8Array);
  res.writeHead = (statusCode: unknown, ...rest: unknown[]) => {
    res.statusCode = Number(statusCode);
    const headers = rest.find((value) => typeof value === "object" && value !== null) as
      | Record<string, string>
      | undefined;
    for (const [name, value] of Object.entries(headers ?? {})) res.setHeader(name, value);
    return res;
  };
  res.write = (chunk: unknown, encoding?: unknown, callback?: unknown) => {
    if (chunk !== undefined && chunk !== null) chunks.push(bytes(chunk, encoding));
    for (const fn of [encoding, callback]) if (typeof fn === "function") fn();
    return true;
  };
  res.end = (chunk?: unknown, encoding?: unknown, callback?: unknown) => {
    if (chunk !== undefined && chunk !== null && typeof chunk !== "function") chunks.push(bytes(chunk, encoding));
    for (const fn of [chunk, encoding, callback]) if (typeof fn === "function") fn();
    ended = true;
    return res;
  };
  return {
    /** What the handler answered through `res`, once it ended it; undefined if it did not. */
    answer(): ServerAnswer | undefined {
      if (!ended) return undefined;
      const headers = storedHeaders(Object.entries(res.getHeaders()));
      return { statusCode: res.statusCode, headers, body: Buffer.concat(chunks).toString("utf8") };
    },
    /** Puts `res` back as it was; once only, so a second call cannot undo what was sent since. */
    release(): void {
      if (released) return;
      released = true;
      Object.assign(res, original);
      for (const name of Object.keys(res.getHeaders())) res.removeHeader(name);
    },
  };
}

function send(res: ExpressResponseLike, answer: ServerAnswer): void {
  if (res.headersSent) return;
  res.statusCode = answer.statusCode;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
}
