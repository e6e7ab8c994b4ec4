import type { Request } from "@middy/core";
import type { Claim } from "./claimLifecycle.ts";
import type { EventShape, SqsRecordLike } from "./eventShape.ts";
import type { TransactionalDb } from "./transactionalDb.ts";

/** What the middleware puts on `context.idempotency` for the handler of a claimed single event. */
export interface IdempotencyContext {
  key: string;
  scope: string;
  /** Buffered writes commit atomically with the completion record. */
  db: TransactionalDb;
}

export interface LambdaContextLike {
  functionName?: string;
  getRemainingTimeInMillis?: () => number;
  idempotency?: IdempotencyContext;
}

export interface SingleState {
  mode: "single";
  shape: EventShape;
  claim: Claim;
  startedMs: number;
  claimMs: number;
  handlerStartedMs: number;
  settled: boolean;
}

export interface BatchState {
  mode: "batch";
  /** The batch as received, in order (FIFO reporting needs every record, not only the claimed ones). */
  records: SqsRecordLike[];
  claims: Map<string, Claim>;
  reported: Set<string>;
  settled: boolean;
}

export type State = SingleState | BatchState;
export const STATE = Symbol("oncegate.idempotency");
export type OncegateRequest = Request<unknown, unknown, Error, LambdaContextLike> & {
  internal: Record<symbol, State | undefined>;
};

/**
 * Middy gives a middleware no hook at the end of a request, and skips our `after`/`onError` when a middleware in
 * the chain answers early: a `before` placed after `idempotency()` that returns a response, an `after` or
 * `onError` used after it that sets `earlyResponse`. The claim would stay IN_PROGRESS for the whole retention.
 * Middy ends every request with `return request.response`, reading it once the chain has stopped; so the
 * property becomes an accessor that, read while the chain stopped early (`earlyResponse` set) and our state is
 * still unsettled, settles the claim first and then resolves to the same response.
 */
export function settleOnEarlyExit(
  request: OncegateRequest,
  state: State,
  settle: (request: OncegateRequest) => Promise<void>,
): void {
  let value: unknown = request.response;
  let pending: Promise<unknown> | undefined;
  const settleThenAnswer = async () => {
    const failed = request.error !== undefined;
    await settle(request);
    // Middy throws the error when an error chain leaves no response; keep that.
    if (failed && value === undefined) throw request.error;
    return value;
  };
  Object.defineProperty(request, "response", {
    configurable: true,
    enumerable: true,
    get() {
      // Once started, every later read (Middy reads it twice) waits for the same settlement.
      if (pending) return pending;
      if (state.settled || !("earlyResponse" in request)) return value;
      pending = settleThenAnswer();
      return pending;
    },
    set(next: unknown) {
      value = next;
    },
  });
}
