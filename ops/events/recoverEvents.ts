import { destinationIdsOf } from "../../lambdas/delivery/overallStatus.ts";
import type { EventState } from "../../lambdas/shared/eventRecord.ts";
import { OperatorUsageError } from "../errors.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { type EventFilter, findEvents } from "./listEventViews.ts";
import { assertConfigured, type ReplayActor, replayDestination, routeDestination } from "./replayEvent.ts";

/**
 * What `events recover` replays: destinations in `status` (of events selected like `events list`); for `UNROUTED`,
 * the events stored without a destination, each sent to `destination` (required then).
 */
export interface RecoverSelection extends Omit<EventFilter, "status"> {
  status: "FAILED" | "DEAD" | "UNROUTED";
  /** Skip destinations this run already replayed (`lastReplay.runId`): rerunning a run resumes it. */
  resumeRunId?: string;
}

/** One destination to replay. */
export interface RecoverItem {
  pk: string;
  provider: string;
  eventId: string;
  destination: string;
  /** A destination the event was never sent to (an UNROUTED event's): routed, not reopened. */
  route?: true;
}

/** `events recover --json`. A dry run prints `{ count }`. */
export interface RecoverSummary {
  runId: string;
  matched: number;
  replayed: number;
  /** Replayed by this run before (`--resume`): skipped. */
  skipped: number;
  /** Being delivered by the time the run reached them: left alone. */
  pending: number;
  failed: number;
  errors: { event: string; destination: string; error: string }[];
}

const MAX_ERRORS_LISTED = 5;

/**
 * The destinations a recover would replay, and how many this run replayed already. An event's overall status is
 * DEAD when any destination is, so FAILED destinations are looked for under both problem statuses.
 */
export async function planRecover(
  target: OperatorTarget,
  selection: RecoverSelection,
): Promise<{ items: RecoverItem[]; skipped: number }> {
  if (selection.status === "UNROUTED") return planRouting(target, selection);
  const statuses = selection.status === "DEAD" ? (["DEAD"] as const) : (["FAILED", "DEAD"] as const);
  const states: EventState[] = [];
  for (const status of statuses) states.push(...(await findEvents(target, { ...selection, status })));
  const items: RecoverItem[] = [];
  let skipped = 0;
  for (const state of states) {
    for (const destination of destinationIdsOf(state)) {
      if (selection.destination !== undefined && destination !== selection.destination) continue;
      const current = state.destinations?.[destination];
      if (current?.status !== selection.status) continue;
      if (selection.resumeRunId !== undefined && current.lastReplay?.runId === selection.resumeRunId) {
        skipped += 1;
        continue;
      }
      items.push({ pk: state.pk, provider: state.provider, eventId: state.eventId, destination });
    }
  }
  return { items, skipped };
}

/**
 * UNROUTED events of the selection, each to be sent to the destination named (checked against the configured ones
 * first). A run that routed an event before moved it out of UNROUTED (QUEUED, then settled): a plain rerun finds
 * only what is left, and `--resume` has nothing more to skip.
 */
async function planRouting(
  target: OperatorTarget,
  selection: RecoverSelection,
): Promise<{ items: RecoverItem[]; skipped: number }> {
  const { destination } = selection;
  if (destination === undefined) {
    throw new OperatorUsageError(
      "missing_destination",
      "An UNROUTED event has no destination to replay: name the one to send them to with --destination.",
    );
  }
  assertConfigured(target, destination);
  // Not filtered on the destination: an UNROUTED event has none, the destination is where they go.
  const { destination: _to, ...filter } = selection;
  const states = await findEvents(target, { ...filter, status: "UNROUTED" });
  const items = states.map((state) => ({
    pk: state.pk,
    provider: state.provider,
    eventId: state.eventId,
    destination,
    route: true as const,
  }));
  return { items, skipped: 0 };
}

/**
 * Replays every planned destination, at most `ratePerSecond` a second (the consumer that just came back is not
 * flooded), each reopened then sent its job (`replayDestination`); one failure never stops the others. Every
 * replay carries `runId`, so the same command with `--resume <runId>` skips what this run did.
 */
export async function recoverEvents(
  target: OperatorTarget,
  plan: { items: readonly RecoverItem[]; skipped: number },
  options: { actor: ReplayActor & { runId: string }; ratePerSecond: number; onProgress?: (done: number) => void },
): Promise<RecoverSummary> {
  const summary: RecoverSummary = {
    runId: options.actor.runId,
    matched: plan.items.length + plan.skipped,
    replayed: 0,
    skipped: plan.skipped,
    pending: 0,
    failed: 0,
    errors: [],
  };
  const spacingMs = 1000 / options.ratePerSecond;
  const startedMs = performance.now();
  for (const [index, item] of plan.items.entries()) {
    const dueMs = startedMs + index * spacingMs;
    const waitMs = dueMs - performance.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    try {
      const result = item.route
        ? await routeDestination(target, item, item.destination, options.actor)
        : await replayDestination(target, item.pk, item.destination, options.actor);
      if (result.outcome === "pending") summary.pending += 1;
      else summary.replayed += 1;
    } catch (error) {
      summary.failed += 1;
      if (summary.errors.length < MAX_ERRORS_LISTED) {
        summary.errors.push({
          event: `${item.provider}/${item.eventId}`,
          destination: item.destination,
          error: (error as Error).message,
        });
      }
    }
    options.onProgress?.(index + 1);
  }
  return summary;
}

/** A new run's id: short, sortable by start time. */
export function newRunId(nowMs: number): string {
  return `rec_${nowMs.toString(36)}${Math.floor(Math.random() * 36 ** 4)
    .toString(36)
    .padStart(4, "0")}`;
}
