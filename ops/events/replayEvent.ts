import { markReplayed, type ReplayMark } from "../../lambdas/delivery/markReplayed.ts";
import { destinationIdsOf } from "../../lambdas/delivery/overallStatus.ts";
import type { EventState } from "../../lambdas/shared/eventRecord.ts";
import { indexShardCounts } from "../../lambdas/shared/indexShards.ts";
import { sendJob } from "../deadLetters/deadLetterQueue.ts";
import { NotFoundError, RefusedError } from "../errors.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { noSuchEvent } from "./showEvent.ts";

/** What happened to one destination of a replay. */
export interface DestinationReplay {
  destination: string;
  /** `replayed`: reopened and its job sent; `resent`: an earlier replay's job sent again; `pending`: being delivered. */
  outcome: "replayed" | "resent" | "pending";
  /** Its status before (for `replayed`). */
  previous?: string;
}

/** Who replays, for the destinations' `lastReplay`; `runId` for a bulk run (`events recover`). */
export interface ReplayActor {
  by: string;
  nowMs: number;
  runId?: string;
}

/**
 * Replays one event to one destination or to every settled one: each is reopened (`markReplayed`: a new round, the
 * history kept), then a job is sent to the delivery queue. The delivery POSTs the stored body with the same
 * Idempotency-Key and webhook-id, `Oncegate-Attempt-Trigger: replay`. A destination still PENDING is left alone.
 * @throws NotFoundError `no_such_event`, `no_such_destination`; RefusedError `nothing_to_replay` when every
 * destination asked for is being delivered
 */
export async function replayEvent(
  target: OperatorTarget,
  state: EventState,
  actor: ReplayActor,
  destination?: string,
): Promise<DestinationReplay[]> {
  const ids = destinationIdsOf(state);
  if (destination !== undefined && !ids.includes(destination)) {
    throw new NotFoundError(
      "no_such_destination",
      `${state.provider}/${state.eventId} was not sent to ${destination}: its destinations are ${ids.join(", ")}.`,
    );
  }
  const chosen = destination === undefined ? ids : [destination];
  const results: DestinationReplay[] = [];
  for (const id of chosen) results.push(await replayDestination(target, state.pk, id, actor));
  if (results.every((result) => result.outcome === "pending")) {
    throw new RefusedError(
      "nothing_to_replay",
      `${state.provider}/${state.eventId} is being delivered to ${chosen.join(", ")} (PENDING): wait for it to settle, then replay it.`,
    );
  }
  return results;
}

/** One destination: reopen, then send its job (again, for a replay whose job may never have been sent). */
export async function replayDestination(
  target: OperatorTarget,
  pk: string,
  destination: string,
  actor: ReplayActor,
): Promise<DestinationReplay> {
  const table = {
    client: target.ddb,
    tableName: target.resources.eventsTable,
    shards: indexShardCounts(target.resources.peakEventsPerSecond),
  };
  const by = { atMs: actor.nowMs, by: actor.by, ...(actor.runId !== undefined && { runId: actor.runId }) };
  const mark: ReplayMark = await asOperator(`update the event in ${table.tableName} (dynamodb:UpdateItem)`, () =>
    markReplayed(table, pk, destination, by, target.resources.retryScheduleSeconds),
  );
  if (mark.kind === "missing") throw noSuchEvent(pk);
  if (mark.kind === "pending") return { destination, outcome: "pending" };
  await sendJob(target.sqs, target.resources.deliveryQueueUrl, { pk, destination });
  return mark.kind === "replayed"
    ? { destination, outcome: "replayed", previous: mark.previous }
    : { destination, outcome: "resent" };
}
