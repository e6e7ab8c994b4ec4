import { markReplayed, type ReplayMark } from "../../lambdas/delivery/markReplayed.ts";
import { markRouted } from "../../lambdas/delivery/markRouted.ts";
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
  /**
   * `replayed`: reopened and its job sent; `routed`: a destination the event was never sent to (it was UNROUTED,
   * or the destination is new) added and its job sent; `resent`: an earlier replay's job sent again; `pending`:
   * being delivered.
   */
  outcome: "replayed" | "routed" | "resent" | "pending";
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
 * A configured destination the event was never sent to (an UNROUTED event, a destination added since) is added to
 * it (`markRouted`) and sent its job: that is how an event is routed after a configuration change.
 * @throws NotFoundError `no_such_event`, `no_such_destination`; RefusedError `nothing_to_replay` when every
 * destination asked for is being delivered, `nothing_to_route` for an UNROUTED event without `destination`,
 * `still_receiving` for an event the intake has not finished accepting
 */
export async function replayEvent(
  target: OperatorTarget,
  state: EventState,
  actor: ReplayActor,
  destination?: string,
): Promise<DestinationReplay[]> {
  const ids = destinationIdsOf(state);
  const name = `${state.provider}/${state.eventId}`;
  if (destination !== undefined && !ids.includes(destination)) {
    return [await routeDestination(target, state, destination, actor)];
  }
  if (ids.length === 0) {
    throw new RefusedError(
      "nothing_to_route",
      `${name} is UNROUTED (no destination's event filter takes its type): name one with --destination${configuredList(target)}.`,
    );
  }
  const chosen = destination === undefined ? ids : [destination];
  const results: DestinationReplay[] = [];
  for (const id of chosen) results.push(await replayDestination(target, state.pk, id, actor));
  if (results.every((result) => result.outcome === "pending")) {
    throw new RefusedError(
      "nothing_to_replay",
      `${name} is being delivered to ${chosen.join(", ")} (PENDING): wait for it to settle, then replay it.`,
    );
  }
  return results;
}

/**
 * @throws NotFoundError `no_such_destination` when this is not one of the target's destinations; RefusedError
 * `destinations_unknown` when the target does not list them (a stack deployed before its `DestinationIds` output):
 * a mistyped id would add a destination the delivery does not know, and leave the event FAILED for it
 */
export function assertConfigured(target: OperatorTarget, destination: string, sentTo = ""): void {
  const configured = target.resources.destinationIds;
  if (configured === undefined) {
    throw new RefusedError(
      "destinations_unknown",
      `${target.label} does not list its destinations (redeploy it with this version: its DestinationIds output), so ${destination} cannot be checked: an event is only sent to a destination it was not sent to once it can be.`,
    );
  }
  if (!configured.includes(destination)) {
    throw new NotFoundError(
      "no_such_destination",
      `${destination} is not a destination of ${target.label}${configuredList(target)}${sentTo}.`,
    );
  }
}

/**
 * A destination the event was never sent to: refused unless configured; added (`markRouted`), then sent its job.
 * @throws NotFoundError `no_such_event`, `no_such_destination`; RefusedError `still_receiving`
 */
export async function routeDestination(
  target: OperatorTarget,
  state: Pick<EventState, "pk" | "provider" | "eventId"> & Partial<Pick<EventState, "destinationIds" | "destinations">>,
  destination: string,
  actor: ReplayActor,
): Promise<DestinationReplay> {
  const name = `${state.provider}/${state.eventId}`;
  const sent = destinationIdsOf(state);
  assertConfigured(target, destination, sent.length > 0 ? `; ${name} was sent to ${sent.join(", ")}` : "");
  const table = deliveryTableOf(target);
  const mark = await asOperator(`update the event in ${table.tableName} (dynamodb:UpdateItem)`, () =>
    markRouted(table, state.pk, destination, replayBy(actor)),
  );
  if (mark.kind === "missing") throw noSuchEvent(state.pk);
  if (mark.kind === "receiving") {
    throw new RefusedError(
      "still_receiving",
      `${name} is RECEIVED: the gateway is still enqueueing it to its own destinations; replay it once it is QUEUED.`,
    );
  }
  // Added by another operator meanwhile: replay it like any destination of the event (resends an unsent job).
  if (mark.kind === "present") return replayDestination(target, state.pk, destination, actor);
  await sendJob(target.sqs, target.resources.deliveryQueueUrl, { pk: state.pk, destination });
  return { destination, outcome: "routed" };
}

function configuredList(target: OperatorTarget): string {
  const configured = target.resources.destinationIds;
  return configured === undefined ? "" : ` (configured: ${configured.join(", ")})`;
}

function deliveryTableOf(target: OperatorTarget) {
  return {
    client: target.ddb,
    tableName: target.resources.eventsTable,
    shards: indexShardCounts(target.resources.peakEventsPerSecond),
  };
}

function replayBy(actor: ReplayActor) {
  return { atMs: actor.nowMs, by: actor.by, ...(actor.runId !== undefined && { runId: actor.runId }) };
}

/** One destination: reopen, then send its job (again, for a replay whose job may never have been sent). */
export async function replayDestination(
  target: OperatorTarget,
  pk: string,
  destination: string,
  actor: ReplayActor,
): Promise<DestinationReplay> {
  const table = deliveryTableOf(target);
  const by = replayBy(actor);
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
