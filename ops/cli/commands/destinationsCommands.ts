import type { Command } from "commander";
import { PAUSED_HOLD_SECONDS } from "../../../lambdas/delivery/circuitBreaker.ts";
import { maxReceiveCountFor } from "../../../lambdas/delivery/receiveLimit.ts";
import { type ControlResult, pauseDestination, resumeDestination } from "../../destinations/destinationPause.ts";
import { type DestinationView, pollersMismatch } from "../../destinations/destinationView.ts";
import { listDestinations } from "../../destinations/listDestinations.ts";
import type { OperatorTarget } from "../../target/operatorTarget.ts";
import type { CliIo } from "../cliIo.ts";
import { styler } from "../cliIo.ts";
import { EXIT } from "../exitCodes.ts";
import { ago, printJson, printLine, table } from "../output.ts";
import { type CommonOptions, withCommonOptions, withTarget } from "../targetOptions.ts";
import type { Run } from "./keysCommands.ts";

interface PauseOptions extends CommonOptions {
  reason?: string;
}

/** What the table prints for a time it does not know. */
const NONE = "—";

/** `destinations list`, `pause` and `resume`: each destination's state, backlog and circuit, and the operator's pause. */
export function addDestinationsCommands(program: Command, io: CliIo, run: Run): void {
  const destinations = program
    .command("destinations")
    .description("the destinations: their state (active, paused, circuit open), backlog, failures; pause and resume");

  withCommonOptions(
    destinations.command("list").description("each destination's state, queue backlog, in flight, failures"),
  ).action((options: CommonOptions) =>
    run(() =>
      withTarget(options, async (target) => {
        const views = await listDestinations(target);
        if (options.json) printJson(io, views);
        else printLine(io, renderList(io, target, views));
        return EXIT.ok;
      }),
    ),
  );

  withCommonOptions(
    destinations
      .command("pause")
      .description("hold a destination's jobs in its queue: no attempt is made, none is consumed, until resume")
      .argument("<id>", "the destination's id (destinations list names them)")
      .option("--reason <text>", "why, kept with the pause and in its history"),
  ).action((id: string, options: PauseOptions) =>
    run(() =>
      withTarget(options, async (target) => {
        const actor = { identity: await target.identity(), nowMs: io.nowMs() };
        const result = await pauseDestination(target, id, { ...actor, reason: options.reason });
        if (options.json) printJson(io, result);
        else printLine(io, pausedSentence(io, target, result));
        return EXIT.ok;
      }),
    ),
  );

  withCommonOptions(
    destinations
      .command("resume")
      .description("let a paused destination's jobs be attempted again")
      .argument("<id>", "the destination's id"),
  ).action((id: string, options: CommonOptions) =>
    run(() =>
      withTarget(options, async (target) => {
        const actor = { identity: await target.identity(), nowMs: io.nowMs() };
        const result = await resumeDestination(target, id, actor);
        if (options.json) printJson(io, result);
        else printLine(io, resumedSentence(target, result));
        return EXIT.ok;
      }),
    ),
  );
}

function since(io: CliIo, atMs: number | undefined): string | undefined {
  return atMs === undefined ? undefined : ago(Math.max(0, Math.round((io.nowMs() - atMs) / 1000)));
}

function renderList(io: CliIo, target: OperatorTarget, views: DestinationView[]): string {
  if (views.length === 0) return `${target.label} has no destination.`;
  const style = styler(io, "stdout");
  const stateText = (view: DestinationView) =>
    view.state === "active"
      ? style("green", view.state)
      : style(view.state === "paused" ? "yellow" : "red", view.state);
  const rows = views.map((view) => [
    view.id,
    stateText(view),
    view.backlog,
    view.inFlight,
    view.consecutiveFailures,
    since(io, view.lastSuccessAtMs) ?? NONE,
    view.lastFailureAtMs === undefined
      ? NONE
      : `${since(io, view.lastFailureAtMs)}${view.lastFailureReason ? ` (${view.lastFailureReason})` : ""}`,
  ]);
  const lines = [table(["id", "state", "backlog", "in flight", "failures", "last success", "last failure"], rows)];
  const notes = views.flatMap((view) => notesOf(io, view));
  if (notes.length > 0) lines.push("", ...notes);
  return lines.join("\n");
}

/** A line under the table for what the columns cannot say: who paused and why, when the probe is, a stuck mapping. */
function notesOf(io: CliIo, view: DestinationView): string[] {
  const notes: string[] = [];
  if (view.state === "paused") {
    const by = view.pausedBy === undefined ? "" : ` by ${view.pausedBy}`;
    const why = view.pauseReason === undefined ? "" : `: ${JSON.stringify(view.pauseReason)}`;
    const at = since(io, view.pausedAtMs);
    notes.push(`${view.id}: paused${at === undefined ? "" : ` ${at}`}${by}${why}.`);
  }
  if (view.state === "open") {
    const inSeconds = view.probeAtMs === undefined ? 0 : Math.max(0, Math.round((view.probeAtMs - io.nowMs()) / 1000));
    notes.push(
      `${view.id}: circuit open since ${since(io, view.openedAtMs) ?? "?"}, next probe ${inSeconds === 0 ? "due now" : `in ${inSeconds} s`}.`,
    );
  }
  const mismatch = pollersMismatch(view);
  if (mismatch === "receiving_while_paused") {
    notes.push(
      `${view.id}: paused, but its event source mapping is ${view.eventSourceState} (its jobs are received and held): run npx oncegate destinations pause ${view.id} again.`,
    );
  } else if (mismatch === "stopped_while_active") {
    notes.push(
      `${view.id}: not paused, but its event source mapping is ${view.eventSourceState} (nothing receives its jobs): run npx oncegate destinations resume ${view.id}.`,
    );
  }
  return notes;
}

/** How long a paused destination's jobs survive being received and held, on a stack whose pollers keep going. */
function heldReceivesText(target: OperatorTarget): string {
  const receives = maxReceiveCountFor(target.resources.retryScheduleSeconds);
  const minutes = Math.round((receives * PAUSED_HOLD_SECONDS) / 60);
  return `after ${receives} receives (about ${minutes} min) SQS moves a job to the dead-letter queue`;
}

function pausedSentence(io: CliIo, target: OperatorTarget, result: ControlResult): string {
  const { id, pollers } = result;
  if (!result.changed) {
    const by = result.pausedBy === undefined ? "" : `, by ${result.pausedBy}`;
    const why = result.pauseReason === undefined ? "" : `: ${JSON.stringify(result.pauseReason)}`;
    const mended =
      pollers.kind === "event_source_mapping" && pollers.changed
        ? `; its event source mapping, still enabled, is ${pollers.state} now`
        : ": nothing changed";
    return `${id} is already paused (since ${since(io, result.pausedAtMs) ?? "?"}${by}${why})${mended}.`;
  }
  const held = `Paused ${id} on ${target.label}: no attempt is made (none is consumed) until it is resumed`;
  const resume = `npx oncegate destinations resume ${id}`;
  if (pollers.kind === "local_worker") {
    return `${held}; its worker stops polling within a few seconds and its jobs wait in its queue: resume with ${resume}.`;
  }
  if (pollers.kind === "event_source_mapping") {
    return `${held}, and its event source mapping ${pollers.uuid} is ${pollers.state}, so its jobs wait in its queue, each kept 14 days from when it was enqueued (the queue's retention): resume before then with ${resume}.`;
  }
  return `${held}, but ${target.label} names no event source mapping (deployed before its DeliveryEventSources output), so its pollers keep receiving its jobs and the delivery holds each ${PAUSED_HOLD_SECONDS} s, one receive a hold: ${heldReceivesText(target)}, so redeploy with npx cdk deploy before a long pause, or resume with ${resume}.`;
}

function resumedSentence(target: OperatorTarget, result: ControlResult): string {
  const { id, pollers } = result;
  const open = result.state === "open" ? " (its circuit is open: its jobs wait for the next probe)" : "";
  if (!result.changed) {
    const mended =
      pollers.kind === "event_source_mapping" && pollers.changed
        ? `; its event source mapping, still disabled, is ${pollers.state} now`
        : ": nothing changed";
    return `${id} is not paused${open}${mended}.`;
  }
  const resumed = `Resumed ${id} on ${target.label}: its jobs are attempted again${open}`;
  if (pollers.kind === "local_worker") return `${resumed}, its worker polling within a few seconds.`;
  if (pollers.kind === "event_source_mapping") {
    return `${resumed}, once Lambda has enabled its event source mapping ${pollers.uuid} (${pollers.state}).`;
  }
  return `${resumed}.`;
}
