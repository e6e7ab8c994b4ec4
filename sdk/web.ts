import { Buffer } from "node:buffer";
import { fingerprintOf } from "./fingerprint.ts";
import { normalizeIdempotencyKey } from "./idempotencyKey.ts";
import { keyOfWebHeaders } from "./idempotencyKeyHeader.ts";
import type { IdempotencyOptions } from "./options.ts";
import { type ClaimedCall, claimedCall } from "./runClaimed.ts";
import { answerOnce, resultAnswer, type ServerAnswer, serverOptions, storedHeaders } from "./serverAnswer.ts";

/**
 * `@oncegate/sdk/web`: for servers whose handlers are `(Request) => Promise<Response>` (Hono, Bun, Deno, Node's
 * fetch-style servers). The body's bytes are read once, fingerprinted as sent, and given to the handler parsed
 * (`event`) and as a fresh `request` of its own.
 */

/** What a Web-standard handler receives. */
export interface WebIdempotentInput extends ClaimedCall {
  /** The request, its body still readable. */
  request: Request;
  /** The body parsed as JSON when its type says JSON, else its text; `null` when there is none. */
  event: unknown;
}

/** A handler answers with a `Response`, or returns a value (`200 {"ok":true,"result":…}`; nothing: `{"ok":true}`). */
export type WebIdempotentHandler = (input: WebIdempotentInput) => Response | unknown | Promise<Response | unknown>;

/**
 * Wraps a Web-standard handler so it runs at most once per `Idempotency-Key`: a duplicate gets the first answer's
 * status, headers and body again (`Idempotency-Status: replayed`). The table is `ONCEGATE_IDEMPOTENCY_TABLE` and
 * the scope `ONCEGATE_SCOPE` (else `default`) unless options say otherwise.
 * @throws ConfigurationError at once when no table is configured
 */
export function idempotent(
  handler: WebIdempotentHandler,
  input: Partial<IdempotencyOptions> = {},
): (request: Request) => Promise<Response> {
  const { options, scope } = serverOptions(input);
  return async (request) => {
    const bytes = Buffer.from(await request.arrayBuffer());
    const answer = await answerOnce(
      options,
      scope,
      () => ({
        key: normalizeIdempotencyKey(options.getKey ? options.getKey(request) : keyOfWebHeaders(request.headers)),
        fingerprint: fingerprintOf(bytes),
      }),
      async (claim, signal) => {
        const own = new Request(request.url, {
          method: request.method,
          headers: request.headers,
          ...(bytes.length > 0 && { body: bytes }),
        });
        const result = await handler({ request: own, event: parsed(request, bytes), ...claimedCall(claim, signal) });
        return result instanceof Response ? await answerOf(result) : resultAnswer(result);
      },
    );
    return new Response(answer.body === "" && noBody(answer.statusCode) ? null : answer.body, {
      status: answer.statusCode,
      headers: answer.headers,
    });
  };
}

function parsed(request: Request, bytes: Buffer): unknown {
  if (bytes.length === 0) return null;
  const text = bytes.toString("utf8");
  if (!/\bjson\b/i.test(request.headers.get("content-type") ?? "")) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

async function answerOf(response: Response): Promise<ServerAnswer> {
  return {
    statusCode: response.status,
    headers: storedHeaders(response.headers.entries()),
    body: await response.text(),
  };
}

// A Response with one of these statuses may not carry a body.
function noBody(status: number): boolean {
  return status === 204 || status === 205 || status === 304;
}
