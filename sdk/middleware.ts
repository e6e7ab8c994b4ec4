import type { MiddlewareObj, Request } from "@middy/core";
import { abandonClaim, type Claim, completeClaim } from "./claimLifecycle.ts";
import { claimUnit } from "./claimUnit.ts";
import { ConfigurationError, HandlerFailedError, type OncegateSdkError } from "./errors.ts";
import type { EventShape, SqsRecordLike } from "./eventShape.ts";
import { errorResponse, replayResponse } from "./httpResponses.ts";
import { logInvocation } from "./invocationLog.ts";
import { assertLeaseCoversTimeout, type IdempotencyOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { replayValue } from "./refusals.ts";
import { claimSqsRecord } from "./sqsRecordClaim.ts";
import type { TransactionalDb } from "./transactionalDb.ts";
import { eventShapeOf, unitOfEvent } from "./unitOfWork.ts";

/** What the middleware puts on `context.idempotency` for the handler of a claimed single event. */
export interface IdempotencyContext {
  key: string;
  scope: string;
  /** Buffered writes commit atomically with the completion record. */
  db: TransactionalDb;
}

interface LambdaContextLike {
  functionName?: string;
  getRemainingTimeInMillis?: () => number;
  idempotency?: IdempotencyContext;
}

interface SingleState {
  mode: "single";
  shape: EventShape;
  claim: Claim;
  startedMs: number;
  claimMs: number;
  handlerStartedMs: number;
  settled: boolean;
}
interface BatchState {
  mode: "batch";
  claims: Map<string, Claim>;
  reported: string[];
  settled: boolean;
}
type State = SingleState | BatchState;
const STATE = Symbol("oncegate.idempotency");
type OncegateRequest = Request<unknown, unknown, Error, LambdaContextLike> & {
  internal: Record<symbol, State | undefined>;
};

/** Resolves the scope: the option, else the Lambda function name. */
export function scopeOf(options: ResolvedOptions, context: LambdaContextLike): string {
  const scope = options.scope ?? context.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!scope) throw new ConfigurationError("scope", "no Lambda function name to default to: set `scope`");
  return scope;
}

/**
 * Middy middleware: claims the event's idempotency key with one conditional write before the
 * handler runs, so the handler runs at most once per key; records completion (with the handler's
 * `db` writes) after it; replays the stored response to duplicates.
 *
 * Order: body parsers and validators before it, response serializers after it, error handlers
 * before it (so its `onError` runs first and records the failure).
 */
export function idempotency(input: IdempotencyOptions): MiddlewareObj {
  const options = resolveOptions(input);
  let timeoutChecked = false;

  const before = async (request: OncegateRequest): Promise<unknown> => {
    if (!timeoutChecked) {
      assertLeaseCoversTimeout(options.inProgressLeaseSeconds, request.context.getRemainingTimeInMillis?.());
      timeoutChecked = true;
    }
    const shape = eventShapeOf(request.event);
    const scope = scopeOf(options, request.context);
    if (shape === "sqs") return beforeBatch(request, scope);

    const unit = await claimUnit(options, scope, () => unitOfEvent(request.event, shape, options.getKey));
    if (unit.kind === "claimed") {
      const { claim, startedMs, claimMs } = unit;
      request.internal[STATE] = {
        mode: "single",
        shape,
        claim,
        startedMs,
        claimMs,
        handlerStartedMs: Date.now(),
        settled: false,
      };
      request.context.idempotency = { key: claim.key, scope, db: claim.db };
      return;
    }
    // `earlyResponse` (not a return value) so that a stored `undefined` is replayed too.
    if (unit.kind === "replay") {
      request.earlyResponse = shape === "http" ? replayResponse(unit.refusal.stored) : replayValue(unit.refusal);
      return;
    }
    if (shape !== "http") throw unit.error;
    request.earlyResponse = errorResponse(unit.error);
    return;
  };

  const beforeBatch = async (request: OncegateRequest, scope: string): Promise<unknown> => {
    const event = request.event as { Records: SqsRecordLike[] };
    const claims = new Map<string, Claim>();
    const reported: string[] = [];
    const claimed: SqsRecordLike[] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const result = await claimSqsRecord(options, scope, record);
        if (result.kind === "claimed") {
          claims.set(record.messageId, result.claim);
          claimed.push(record);
        } else if (result.report) reported.push(record.messageId);
      }),
    );
    request.internal[STATE] = { mode: "batch", claims, reported, settled: false };
    if (claimed.length === 0) {
      request.earlyResponse = { batchItemFailures: reported.map((itemIdentifier) => ({ itemIdentifier })) };
      return;
    }
    // The handler sees only the records this invocation claimed: duplicates never reach it.
    request.event = { ...event, Records: event.Records.filter((r) => claims.has(r.messageId)) };
    return;
  };

  const after = async (request: OncegateRequest): Promise<void> => {
    const state = request.internal[STATE];
    if (!state || state.settled) return;
    state.settled = true;
    if (state.mode === "batch") return afterBatch(request, state);
    const handlerMs = Date.now() - state.handlerStartedMs;
    const settled = await completeClaim(options, state.claim, request.response);
    const base = { scope: state.claim.scope, key: state.claim.key, claimMs: state.claimMs, handlerMs };
    if (settled.kind === "completed") {
      logInvocation(options.logger, { ...base, outcome: "executed", totalMs: Date.now() - state.startedMs });
      return;
    }
    const error = settled.kind === "handler_failed" ? new HandlerFailedError(settled.error) : settled.error;
    logInvocation(options.logger, {
      ...base,
      outcome: "failed",
      error: settled.kind === "handler_failed" ? (settled.error as OncegateSdkError).code : error.code,
      totalMs: Date.now() - state.startedMs,
    });
    if (state.shape !== "http") throw error;
    request.response = errorResponse(error);
  };

  /**
   * Settles one claimed SQS record: completed, or (the handler threw, or reported the record in its own
   * `batchItemFailures`) abandoned under the onError policy. Anything not completed is reported to SQS.
   */
  const settleRecord = async (state: BatchState, messageId: string, claim: Claim, failure?: { error: unknown }) => {
    const settled = failure
      ? await abandonClaim(options, claim, failure.error).then(() => ({ kind: "handler_failed" as const }))
      : await completeClaim(options, claim, undefined);
    if (settled.kind !== "completed") state.reported.push(messageId);
    logInvocation(options.logger, {
      scope: claim.scope,
      key: claim.key,
      outcome: settled.kind === "completed" ? "executed" : "failed",
      ...(settled.kind === "completed" ? {} : { error: settled.kind }),
      totalMs: 0,
    });
  };

  const settleBatch = async (state: BatchState, failureOf: (messageId: string) => { error: unknown } | undefined) => {
    await Promise.all([...state.claims].map(([id, claim]) => settleRecord(state, id, claim, failureOf(id))));
    return { batchItemFailures: state.reported.map((itemIdentifier) => ({ itemIdentifier })) };
  };

  const afterBatch = async (request: OncegateRequest, state: BatchState): Promise<void> => {
    const response = request.response as { batchItemFailures?: { itemIdentifier: string }[] } | undefined;
    const failedByHandler = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const reportedFailure = { error: new Error("the handler reported this record as failed") };
    request.response = await settleBatch(state, (id) => (failedByHandler.has(id) ? reportedFailure : undefined));
  };

  const onError = async (request: OncegateRequest): Promise<unknown> => {
    const state = request.internal[STATE];
    // Nothing claimed, or already settled (a completion problem raised in `after`): never touch the record.
    if (!state || state.settled) return;
    state.settled = true;
    if (state.mode === "batch") {
      const failure = { error: request.error };
      request.earlyResponse = await settleBatch(state, () => failure);
      return;
    }
    await abandonClaim(options, state.claim, request.error);
    logInvocation(options.logger, {
      scope: state.claim.scope,
      key: state.claim.key,
      outcome: "failed",
      error: "handler_failed",
      claimMs: state.claimMs,
      handlerMs: Date.now() - state.handlerStartedMs,
      totalMs: Date.now() - state.startedMs,
    });
    // Non-HTTP events rethrow (middy does, when no response is set), so Lambda sees the failure.
    if (state.shape === "http") request.earlyResponse = errorResponse(new HandlerFailedError(request.error));
    return;
  };

  return {
    before: before as MiddlewareObj["before"],
    after: after as MiddlewareObj["after"],
    onError: onError as MiddlewareObj["onError"],
  };
}
