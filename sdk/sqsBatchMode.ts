import { abandonClaim, type Claim, completeClaim } from "./claimLifecycle.ts";
import type { SqsRecordLike } from "./eventShape.ts";
import { claimLanes, messageGroupOf, reportedWithLaterGroupRecords } from "./fifoOrder.ts";
import { logInvocation } from "./invocationLog.ts";
import { isInvocationTimeout, timeLeftOf } from "./invocationTime.ts";
import { type BatchState, type OncegateRequest, STATE, settleOnEarlyExit } from "./middlewareState.ts";
import type { ResolvedOptions } from "./options.ts";
import { claimSqsRecord } from "./sqsRecordClaim.ts";

type BatchResponse = { batchItemFailures: { itemIdentifier: string }[] };

/**
 * The middleware's lifecycle for an SQS batch: each record its own claim, the handler sees only the records this
 * invocation claimed, and everything not completed is reported in `batchItemFailures` (FIFO: with every later
 * record of its message group).
 */
export function sqsBatchMode(options: ResolvedOptions) {
  const failuresOf = (state: BatchState): BatchResponse => ({
    batchItemFailures: reportedWithLaterGroupRecords(state.records, state.reported).map((itemIdentifier) => ({
      itemIdentifier,
    })),
  });

  const before = async (request: OncegateRequest, scope: string): Promise<void> => {
    const event = request.event as { Records: SqsRecordLike[] };
    const state: BatchState = {
      mode: "batch",
      records: event.Records,
      claims: new Map(),
      reported: new Set(),
      settled: false,
    };
    const timeLeftMs = timeLeftOf(request.context);
    // Standard queues: every record at once. FIFO: a group's records in order, and none after the first one that is
    // refused (in progress elsewhere, failed before): running them would run the group out of order.
    await Promise.all(
      claimLanes(event.Records).map(async (lane) => {
        for (const record of lane) {
          const result = await claimSqsRecord(options, scope, record, timeLeftMs);
          if (result.kind === "claimed") state.claims.set(record.messageId, result.claim);
          else if (result.report) {
            state.reported.add(record.messageId);
            if (messageGroupOf(record) !== undefined) return;
          }
        }
      }),
    );
    request.internal[STATE] = state;
    if (state.claims.size === 0) {
      state.settled = true;
      request.earlyResponse = failuresOf(state);
      return;
    }
    // The handler sees only the records this invocation claimed: duplicates never reach it.
    request.event = { ...event, Records: event.Records.filter((r) => state.claims.has(r.messageId)) };
    settleOnEarlyExit(request, state, (r) => (r.error === undefined ? after(r, state) : onError(r, state)));
  };

  /** Completes one record, or abandons it under the onError policy; anything not completed is reported. */
  const settleRecord = async (state: BatchState, messageId: string, claim: Claim, failure?: { error: unknown }) => {
    const settled = failure
      ? await abandonClaim(options, claim, failure.error).then(() => ({ kind: "handler_failed" as const }))
      : await completeClaim(options, claim, undefined);
    if (settled.kind !== "completed") state.reported.add(messageId);
    logInvocation(options.logger, {
      scope: claim.scope,
      key: claim.key,
      outcome: settled.kind === "completed" ? "executed" : "failed",
      ...(settled.kind === "completed" ? {} : { error: settled.kind }),
      totalMs: 0,
    });
  };

  const settleAll = async (state: BatchState, failureOf: (messageId: string) => { error: unknown } | undefined) => {
    await Promise.all([...state.claims].map(([id, claim]) => settleRecord(state, id, claim, failureOf(id))));
    return failuresOf(state);
  };

  const after = async (request: OncegateRequest, state: BatchState): Promise<void> => {
    state.settled = true;
    const response = request.response as Partial<BatchResponse> | undefined;
    const failedByHandler = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    const reportedFailure = { error: new Error("the handler reported this record as failed") };
    request.response = await settleAll(state, (id) => (failedByHandler.has(id) ? reportedFailure : undefined));
  };

  const onError = async (request: OncegateRequest, state: BatchState): Promise<void> => {
    state.settled = true;
    if (isInvocationTimeout(request.error)) {
      // Which records the handler finished is unknown and it may still be running: every claim stays IN_PROGRESS.
      for (const [id, claim] of state.claims) {
        claim.closeDb();
        state.reported.add(id);
        logInvocation(options.logger, {
          scope: claim.scope,
          key: claim.key,
          outcome: "timed_out",
          error: "handler_timed_out",
          totalMs: 0,
        });
      }
      request.response = failuresOf(state);
      return;
    }
    const failure = { error: request.error };
    request.response = await settleAll(state, () => failure);
  };

  return { before, after, onError };
}
