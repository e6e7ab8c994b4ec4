import type middy from "@middy/core";
import { ConfigurationError } from "./errors.ts";
import { eventShapeOf, type HttpLikeEvent, httpBodyOf, parsePayload, type SqsRecordLike } from "./eventShape.ts";
import { isHttpResponse } from "./httpResponses.ts";
import type { LambdaTimeLike } from "./invocationTime.ts";
import { type IdempotencyContext, idempotency, scopeOf, timeBudgetCheck } from "./middleware.ts";
import { type IdempotencyOptions, resolveOptions } from "./options.ts";
import { runRecordLoop } from "./sqsRecordLoop.ts";
import type { TransactionalDb } from "./transactionalDb.ts";

/** What an `idempotent()` handler receives. */
export interface IdempotentInput<TContext = unknown> {
  /** The webhook payload: the JSON-parsed body (HTTP), record body (SQS), `detail` (EventBridge), else the event. */
  event: unknown;
  /** The Lambda event (for SQS: the record) as received. */
  raw: unknown;
  context: TContext;
  /** The idempotency key this run claimed. */
  key: string;
  /** Writes through `db` commit atomically with the completion record. */
  db: TransactionalDb;
  /** Aborts when the invocation is about to time out: stop, the claim stays IN_PROGRESS either way. */
  signal: AbortSignal;
}

export type IdempotentHandler<TContext = unknown> = (input: IdempotentInput<TContext>) => unknown | Promise<unknown>;

function payloadOf(event: unknown): unknown {
  const shape = eventShapeOf(event);
  if (shape === "http") return parsePayload(httpBodyOf(event as HttpLikeEvent));
  if (shape === "eventbridge") return (event as { detail?: unknown }).detail;
  return event;
}

const JSON_HEADERS = { "Content-Type": "application/json" };

/** HTTP answer for a completed run: the handler's own HTTP response, else 200 `{ ok: true, result? }`. */
function httpResultOf(result: unknown) {
  if (isHttpResponse(result)) return result;
  let body = '{"ok":true}';
  if (result !== undefined) {
    try {
      body = JSON.stringify({ ok: true, result });
    } catch {
      // A result JSON cannot carry (circular, BigInt): the run still succeeded; answer without it.
    }
  }
  return { statusCode: 200, headers: JSON_HEADERS, body };
}

/**
 * Wraps a handler so it runs at most once per idempotency key, with WebhookGate's ergonomics:
 * the handler receives `{ event, raw, context, key, db, signal }`. SQS batches run the handler once per
 * record, each record its own claim and its own `db` transaction, and answer `{ batchItemFailures }`.
 */
export function idempotent<TContext = unknown>(handler: IdempotentHandler<TContext>, input: IdempotencyOptions) {
  const options = resolveOptions(input);
  const checkTimeBudget = timeBudgetCheck(options);
  // Middy is an optional peer (the server adapters and makeIdempotent do without it): loaded now, at cold start,
  // and awaited by every single event; SQS batches do not use it.
  const singleHandler = loadMiddy().then(
    (middyOf) =>
      middyOf(
        async (
          event: unknown,
          context: TContext & { idempotency?: IdempotencyContext },
          { signal }: { signal: AbortSignal },
        ) => {
          const claim = context.idempotency as IdempotencyContext;
          const result = await handler({
            event: payloadOf(event),
            raw: event,
            context,
            key: claim.key,
            db: claim.db,
            signal,
          });
          return eventShapeOf(event) === "http" ? httpResultOf(result) : result;
        },
      ).use(idempotency(input)) as unknown as (event: unknown, context: unknown) => Promise<unknown>,
  );
  // A missing Middy is told to the first invocation that needs it, not raised as an unhandled rejection at start.
  singleHandler.catch(() => {});
  const single = async (event: unknown, context: unknown) => (await singleHandler)(event, context);

  const batch = (
    event: { Records: SqsRecordLike[] },
    context: TContext & LambdaTimeLike & { functionName?: string },
  ) => {
    checkTimeBudget(context);
    return runRecordLoop(
      options,
      scopeOf(options, context),
      event.Records,
      context,
      ({ record, payload, key, db, signal }) => handler({ event: payload, raw: record, context, key, db, signal }),
    );
  };

  return async (event: unknown, context: TContext): Promise<unknown> =>
    eventShapeOf(event) === "sqs"
      ? batch(event as { Records: SqsRecordLike[] }, context as TContext & LambdaTimeLike & { functionName?: string })
      : single(event, context);
}

/**
 * `@middy/core`'s default export.
 * @throws ConfigurationError saying to install it, when it is not installed
 */
async function loadMiddy(): Promise<typeof middy> {
  try {
    return (await import("@middy/core")).default;
  } catch (error) {
    if ((error as { code?: string }).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new ConfigurationError(
      "@middy/core",
      "idempotent() and idempotency() run on Middy, an optional peer dependency: npm install @middy/core (the server adapters and makeIdempotent do not need it)",
    );
  }
}
