import { abandonClaim, completeClaim } from "./claimLifecycle.ts";
import { claimUnit } from "./claimUnit.ts";
import { HandlerFailedError, HandlerTimedOutError, type OncegateSdkError } from "./errors.ts";
import type { EventShape } from "./eventShape.ts";
import { errorResponse, httpErrorStatus, isHttpResponse, replayResponse } from "./httpResponses.ts";
import { logInvocation } from "./invocationLog.ts";
import { isInvocationTimeout, timeLeftOf } from "./invocationTime.ts";
import { type OncegateRequest, type SingleState, STATE, settleOnEarlyExit } from "./middlewareState.ts";
import type { ResolvedOptions } from "./options.ts";
import { replayValue } from "./refusals.ts";
import { errorNameOf } from "./storeErrors.ts";
import { unitOfEvent } from "./unitOfWork.ts";

/** A handler's own answer of 5xx says it failed: it is not stored and replayed, the onError policy applies. */
class HandlerAnswered5xxError extends Error {
  override readonly name = "HandlerAnswered5xxError";
  constructor(statusCode: number) {
    super(`the handler answered ${statusCode}`);
  }
}

/**
 * The middleware's lifecycle for one event (HTTP request, EventBridge event, any event with `getKey`): claim in
 * `before`, complete in `after`, abandon in `onError`. Each settles at most once (`state.settled`).
 */
export function singleEventMode(options: ResolvedOptions) {
  const logLine = (
    state: SingleState,
    fields: { outcome: "executed" | "failed" | "timed_out"; error?: string; cause?: string },
  ) =>
    logInvocation(options.logger, {
      scope: state.claim.scope,
      key: state.claim.key,
      ...fields,
      claimMs: state.claimMs,
      handlerMs: Date.now() - state.handlerStartedMs,
      totalMs: Date.now() - state.startedMs,
    });

  const answer = (request: OncegateRequest, state: SingleState, error: OncegateSdkError) => {
    if (state.shape !== "http") throw error;
    request.response = errorResponse(error);
  };

  const before = async (request: OncegateRequest, shape: EventShape, scope: string): Promise<void> => {
    const unit = await claimUnit(
      options,
      scope,
      () => unitOfEvent(request.event, shape, options.getKey),
      timeLeftOf(request.context),
    );
    if (unit.kind === "claimed") {
      const { claim, startedMs, claimMs } = unit;
      const state: SingleState = {
        mode: "single",
        shape,
        claim,
        startedMs,
        claimMs,
        handlerStartedMs: Date.now(),
        settled: false,
      };
      request.internal[STATE] = state;
      request.context.idempotency = { key: claim.key, scope, db: claim.db };
      settleOnEarlyExit(request, state, (r) => (r.error === undefined ? after(r, state) : onError(r, state)));
      return;
    }
    // `earlyResponse` (not a return value) so that a stored `undefined` is replayed too.
    if (unit.kind === "replay") {
      request.earlyResponse = shape === "http" ? replayResponse(unit.refusal.stored) : replayValue(unit.refusal);
      return;
    }
    if (shape !== "http") throw unit.error;
    request.earlyResponse = errorResponse(unit.error);
  };

  const after = async (request: OncegateRequest, state: SingleState): Promise<void> => {
    state.settled = true;
    const response = request.response;
    if (state.shape === "http" && isHttpResponse(response) && response.statusCode >= 500) {
      // The handler's 5xx reaches the caller as it is; only the record changes.
      await abandonClaim(options, state.claim, new HandlerAnswered5xxError(response.statusCode));
      logLine(state, { outcome: "failed", error: "handler_failed" });
      return;
    }
    const settled = await completeClaim(options, state.claim, response);
    if (settled.kind === "completed") {
      logLine(state, { outcome: "executed", ...(settled.responseStored ? {} : { error: "response_unstorable" }) });
      return;
    }
    if (settled.kind === "handler_failed") {
      logLine(state, { outcome: "failed", error: (settled.error as OncegateSdkError).code });
      answer(request, state, new HandlerFailedError(settled.error));
      return;
    }
    logLine(state, { outcome: "failed", error: settled.error.code, cause: errorNameOf(settled.error.cause) });
    answer(request, state, settled.error);
  };

  const onError = async (request: OncegateRequest, state: SingleState): Promise<void> => {
    state.settled = true;
    const error = request.error;
    if (isInvocationTimeout(error)) {
      // The invocation is ending, not the handler: it may still be running, and may have applied effects. Its claim
      // stays IN_PROGRESS (the lease, if any, or the retention decides); releasing it could run it twice.
      state.claim.closeDb();
      logLine(state, { outcome: "timed_out", error: "handler_timed_out" });
      if (state.shape === "http" && request.response === undefined)
        request.response = errorResponse(new HandlerTimedOutError(error));
      return;
    }
    await abandonClaim(options, state.claim, error);
    logLine(state, { outcome: "failed", error: "handler_failed" });
    // An answer already shaped by an error handler that ran before us stays; an HttpError (createError(404)) is
    // left to the error handler placed before `idempotency()`. `response`, not `earlyResponse`: the rest of the
    // onError chain still runs.
    if (state.shape !== "http" || request.response !== undefined || httpErrorStatus(error) !== undefined) return;
    request.response = errorResponse(new HandlerFailedError(error));
  };

  return { before, after, onError };
}
