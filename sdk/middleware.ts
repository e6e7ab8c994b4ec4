import type { MiddlewareObj } from "@middy/core";
import { ConfigurationError } from "./errors.ts";
import { type LambdaContextLike, type OncegateRequest, STATE } from "./middlewareState.ts";
import { assertTimeBudget, type IdempotencyOptions, type ResolvedOptions, resolveOptions } from "./options.ts";
import { singleEventMode } from "./singleEventMode.ts";
import { sqsBatchMode } from "./sqsBatchMode.ts";
import { eventShapeOf } from "./unitOfWork.ts";

export type { IdempotencyContext } from "./middlewareState.ts";

/** Resolves the scope: the option, else the Lambda function name. */
export function scopeOf(options: ResolvedOptions, context: LambdaContextLike): string {
  const scope = options.scope ?? context.functionName ?? process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (!scope) throw new ConfigurationError("scope", "no Lambda function name to default to: set `scope`");
  return scope;
}

/** Runs the checks that need a Lambda context once per process, on the first invocation that has one. */
export function timeBudgetCheck(options: ResolvedOptions): (context: LambdaContextLike) => void {
  let checked = false;
  return (context) => {
    if (checked) return;
    assertTimeBudget(options, context.getRemainingTimeInMillis?.());
    checked = true;
  };
}

/**
 * Middy middleware: claims the event's idempotency key with one conditional write before the
 * handler runs, so the handler runs at most once per key; records completion (with the handler's
 * `db` writes) after it; replays the stored response to duplicates.
 *
 * Order: `idempotency()` before body parsers (it fingerprints the raw bytes), error handlers such as
 * `@middy/http-error-handler` before it (so its `onError` records the failure first), response serializers after it.
 */
export function idempotency(input: IdempotencyOptions): MiddlewareObj {
  const options = resolveOptions(input);
  const checkTimeBudget = timeBudgetCheck(options);
  const single = singleEventMode(options);
  const batch = sqsBatchMode(options);

  const before = async (request: OncegateRequest): Promise<void> => {
    checkTimeBudget(request.context);
    const shape = eventShapeOf(request.event);
    const scope = scopeOf(options, request.context);
    if (shape === "sqs") return batch.before(request, scope);
    return single.before(request, shape, scope);
  };

  const after = async (request: OncegateRequest): Promise<void> => {
    const state = request.internal[STATE];
    if (!state || state.settled) return;
    return state.mode === "batch" ? batch.after(request, state) : single.after(request, state);
  };

  const onError = async (request: OncegateRequest): Promise<void> => {
    const state = request.internal[STATE];
    // Nothing claimed, or already settled (a completion problem raised in `after`): never touch the record.
    if (!state || state.settled) return;
    return state.mode === "batch" ? batch.onError(request, state) : single.onError(request, state);
  };

  return {
    before: before as MiddlewareObj["before"],
    after: after as MiddlewareObj["after"],
    onError: onError as MiddlewareObj["onError"],
  };
}
