import { Buffer } from "node:buffer";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fingerprintOf } from "./fingerprint.ts";
import { normalizeIdempotencyKey } from "./idempotencyKey.ts";
import { keyOfNodeRequest } from "./idempotencyKeyHeader.ts";
import type { IdempotencyOptions } from "./options.ts";
import { type ClaimedCall, claimedCall } from "./runClaimed.ts";
import { answerOnce, resultAnswer, type ServerAnswer, serverOptions, storedHeaders } from "./serverAnswer.ts";

/**
 * `@oncegate/sdk/fastify`: the `oncegate` plugin keeps each JSON body's bytes (so the fingerprint is of what was
 * sent), and `idempotent(handler)` opts a route in:
 *
 *   await app.register(async (scope) => {
 *     await scope.register(oncegate);
 *     scope.post("/webhooks/stripe", idempotent(async ({ request, reply, event, db, key }) => { … }));
 *   });
 *
 * Same semantics as the Express adapter: what the handler sends through `reply` (or returns) is held until the
 * completion commits, then sent, and replayed to duplicates.
 */

/** What the handler's `reply` records: Fastify's own members a handler answers with. */
export interface HeldReply {
  code(statusCode: number): HeldReply;
  status(statusCode: number): HeldReply;
  header(name: string, value: string | number): HeldReply;
  headers(values: Record<string, string | number>): HeldReply;
  type(contentType: string): HeldReply;
  send(payload?: unknown): HeldReply;
}

/** What a Fastify handler receives. */
export interface FastifyIdempotentInput extends ClaimedCall {
  request: FastifyRequest;
  /** Records the answer (`reply.code(201).send(…)`); it is sent once the completion commits. */
  reply: HeldReply;
  /** The parsed body (`request.body`). */
  event: unknown;
}

export type FastifyIdempotentHandler = (input: FastifyIdempotentInput) => unknown | Promise<unknown>;

const RAW_BODY = Symbol.for("oncegate.rawBody");

/**
 * The plugin: a JSON content-type parser that keeps the body's bytes for the fingerprint, in place of Fastify's own.
 * It applies to the scope it is registered in (not a child of its own: it carries the `skip-override` mark that
 * `fastify-plugin` sets), so registered at the root it covers every route.
 */
export async function oncegate(instance: FastifyInstance): Promise<void> {
  instance.removeContentTypeParser("application/json");
  instance.addContentTypeParser("application/json", { parseAs: "buffer" }, (request, body, done) => {
    (request as unknown as Record<symbol, Buffer>)[RAW_BODY] = body as Buffer;
    if ((body as Buffer).length === 0) return done(null, null);
    try {
      done(null, JSON.parse((body as Buffer).toString("utf8")));
    } catch (error) {
      (error as { statusCode?: number }).statusCode = 400;
      done(error as Error, undefined);
    }
  });
}

// What `fastify-plugin` does: registered, the plugin decorates the scope that registers it, not a new child.
(oncegate as unknown as Record<symbol, boolean>)[Symbol.for("skip-override")] = true;

/**
 * A route handler running `handler` at most once per `Idempotency-Key`. The table is `ONCEGATE_IDEMPOTENCY_TABLE`
 * and the scope `ONCEGATE_SCOPE` (else `default`) unless options say otherwise. Without the plugin, the parsed
 * body's canonical JSON is fingerprinted (as with a plain `express.json()`).
 * @throws ConfigurationError at once when no table is configured
 */
export function idempotent(
  handler: FastifyIdempotentHandler,
  input: Partial<IdempotencyOptions> = {},
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const { options, scope } = serverOptions(input);
  return async (request, reply) => {
    const raw = (request as unknown as Record<symbol, Buffer | undefined>)[RAW_BODY];
    const answer = await answerOnce(
      options,
      scope,
      () => {
        // `request.raw` (Node's request) keeps a repeated header's lines apart; `request.headers` joins them.
        const key = options.getKey ? options.getKey(request) : keyOfNodeRequest(request.raw);
        return { key: normalizeIdempotencyKey(key), fingerprint: fingerprintOf(raw ?? request.body ?? null) };
      },
      async (claim, signal) => {
        const held = holdReply();
        const result = await handler({
          request,
          reply: held.reply,
          event: request.body,
          ...claimedCall(claim, signal),
        });
        return held.answer() ?? resultAnswer(result);
      },
    );
    reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
  };
}

function holdReply() {
  let statusCode = 200;
  const headers: Record<string, string> = {};
  let sent: { payload: unknown } | undefined;
  const reply: HeldReply = {
    code(code) {
      statusCode = code;
      return reply;
    },
    status(code) {
      return reply.code(code);
    },
    header(name, value) {
      headers[name.toLowerCase()] = String(value);
      return reply;
    },
    headers(values) {
      for (const [name, value] of Object.entries(values)) reply.header(name, value);
      return reply;
    },
    type(contentType) {
      return reply.header("content-type", contentType);
    },
    send(payload) {
      sent = { payload };
      return reply;
    },
  };
  return {
    reply,
    answer(): ServerAnswer | undefined {
      if (sent === undefined) return undefined;
      const { payload } = sent;
      let body: string;
      if (payload === undefined || payload === null) body = "";
      else if (typeof payload === "string") body = payload;
      else if (Buffer.isBuffer(payload)) body = payload.toString("utf8");
      else {
        body = JSON.stringify(payload);
        headers["content-type"] ??= "application/json; charset=utf-8";
      }
      headers["content-type"] ??= "text/plain; charset=utf-8";
      return { statusCode, headers: storedHeaders(Object.entries(headers)), body };
    },
  };
}
