import middy from "@middy/core";
import { abandonClaim, completeClaim } from "./claimLifecycle.ts";
import { eventShapeOf, type HttpLikeEvent, httpBodyOf, parsePayload, type SqsRecordLike } from "./eventShape.ts";
import { isHttpResponse } from "./httpResponses.ts";
import { logInvocation } from "./invocationLog.ts";
import { type IdempotencyContext, idempotency, scopeOf } from "./middleware.ts";
import { type IdempotencyOptions, resolveOptions } from "./options.ts";
import { claimSqsRecord } from "./sqsRecordClaim.ts";
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
}

export type IdempotentHandler<TContext = unknown> = (input: IdempotentInput<TContext>) => unknown | Promise<unknown>;

function payloadOf(event: unknown): unknown {
  const shape = eventShapeOf(event);
  if (shape === "http") return parsePayload(httpBodyOf(event as HttpLikeEvent));
  if (shape === "eventbridge") return (event as { detail?: unknown }).detail;
  return event;
}

/** HTTP answer for a completed run: the handler's own HTTP response, else 200 `{ ok: true, result? }`. */
function httpResultOf(result: unknown) {
  if (isHttpResponse(result)) return result;
  const body = result === undefined ? { ok: true } : { ok: true, result };
  return { statusCode: 200, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
}

/**
 * Wraps a handler so it runs at most once per idempotency key, with WebhookGate's ergonomics:
 * the handler receives `{ event, raw, context, key, db }`. SQS batches run the handler once per
 * record, each record its own claim and its own `db` transaction, and answer `{ batchItemFailures }`.
 */
export function idempotent<TContext = unknown>(handler: IdempotentHandler<TContext>, input: IdempotencyOptions) {
  const options = resolveOptions(input);
  const single = middy(async (event: unknown, context: TContext & { idempotency?: IdempotencyContext }) => {
    const claim = context.idempotency as IdempotencyContext;
    const result = await handler({ event: payloadOf(event), raw: event, context, key: claim.key, db: claim.db });
    return eventShapeOf(event) === "http" ? httpResultOf(result) : result;
  }).use(idempotency(input)) as unknown as (event: unknown, context: unknown) => Promise<unknown>;

  const batch = async (event: { Records: SqsRecordLike[] }, context: TContext & { functionName?: string }) => {
    const scope = scopeOf(options, context);
    const batchItemFailures: { itemIdentifier: string }[] = [];
    // One record at a time: a FIFO queue's order is kept, and one failure never touches the others.
    for (const record of event.Records) {
      const startedMs = Date.now();
      const report = () => batchItemFailures.push({ itemIdentifier: record.messageId });
      const claimed = await claimSqsRecord(options, scope, record);
      if (claimed.kind === "settled") {
        if (claimed.report) report();
        continue;
      }
      const { claim } = claimed;
      const { key } = claim;
      const handlerStartedMs = Date.now();
      let result: unknown;
      try {
        result = await handler({ event: parsePayload(record.body), raw: record, context, key, db: claim.db });
      } catch (error) {
        await abandonClaim(options, claim, error);
        report();
        logInvocation(options.logger, {
          scope,
          key,
          outcome: "failed",
          error: "handler_failed",
          totalMs: Date.now() - startedMs,
        });
        continue;
      }
      const handlerMs = Date.now() - handlerStartedMs;
      // completeClaim never throws: a failure to record completion comes back as a result.
      const settled = await completeClaim(options, claim, result);
      if (settled.kind !== "completed") report();
      logInvocation(options.logger, {
        scope,
        key,
        outcome: settled.kind === "completed" ? "executed" : "failed",
        ...(settled.kind === "completed" ? {} : { error: settled.kind }),
        handlerMs,
        totalMs: Date.now() - startedMs,
      });
    }
    return { batchItemFailures };
  };

  return async (event: unknown, context: TContext): Promise<unknown> =>
    eventShapeOf(event) === "sqs"
      ? batch(event as { Records: SqsRecordLike[] }, context as TContext & { functionName?: string })
      : single(event, context);
}
