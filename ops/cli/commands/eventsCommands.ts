import { SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import { readEvent } from "../../../lambdas/delivery/deliveryStore.ts";
import { type EventStatus, EVENT_STATUSES as STATUSES } from "../../../lambdas/shared/eventRecord.ts";
import { resolveEventPk } from "../../events/eventSelector.ts";
import { eventStats } from "../../events/eventStats.ts";
import { type EventDetail, type EventSummary, eventSummary } from "../../events/eventViews.ts";
import { findEvents } from "../../events/listEventViews.ts";
import { newRunId, planRecover, recoverEvents } from "../../events/recoverEvents.ts";
import { replayEvent } from "../../events/replayEvent.ts";
import { DEAD_LETTERS_LOOKED_AT, noSuchEvent, showEvent } from "../../events/showEvent.ts";
import type { OperatorTarget } from "../../target/operatorTarget.ts";
import type { CliIo } from "../cliIo.ts";
import { statusStyle, styler } from "../cliIo.ts";
import { assertCanConfirm, confirm } from "../confirm.ts";
import { EXIT } from "../exitCodes.ts";
import { keyValues, printJson, printLine, table } from "../output.ts";
import { eventTypePatterns, positiveInteger, ratePerSecond, timeOption } from "../parseValues.ts";
import { type CommonOptions, withCommonOptions, withTarget } from "../targetOptions.ts";
import type { Run } from "./keysCommands.ts";

const DAY_MS = 86_400_000;
/** `events list` looks back this far by default: a day. */
const LIST_DEFAULT_SINCE_MS = DAY_MS;
/** The events' retention: `recover` and `stats` look back this far by default. */
const RETENTION_MS = 7 * DAY_MS;
const DEFAULT_RATE = 10;

interface WindowOptions extends CommonOptions {
  provider?: string;
  destination?: string;
  since?: string;
  until?: string;
  limit?: number;
  type?: string[];
}
interface ListOptions extends WindowOptions {
  status?: EventStatus;
}
interface ShowOptions extends CommonOptions {
  payload?: boolean;
  dlq?: boolean;
  since?: string;
}
interface ReplayOptions extends CommonOptions {
  destination?: string;
  yes?: boolean;
  since?: string;
}
interface RecoverOptions extends WindowOptions {
  status: "FAILED" | "DEAD" | "UNROUTED";
  dryRun?: boolean;
  yes?: boolean;
  rate?: number;
  resume?: string;
}

function windowOf(io: CliIo, options: WindowOptions, defaultSinceMs: number) {
  const nowMs = io.nowMs();
  return {
    sinceMs: timeOption("since", options.since, nowMs, nowMs - defaultSinceMs),
    untilMs: timeOption("until", options.until, nowMs, nowMs),
    ...(options.type !== undefined && { eventTypes: options.type }),
  };
}

function withWindow(command: Command, defaultSince: string): Command {
  return command
    .option("--provider <name>", "only this provider's events (stripe, github, …)")
    .option("--destination <id>", "only events sent to this destination")
    .option(
      "--type <pattern>",
      "only events of these types: invoice.*, pull_request… as destinations' events filters (repeatable)",
      eventTypePatterns,
    )
    .option(
      "--since <time>",
      `received since: a duration back (90s, 15m, 2h, 7d) or an ISO time (default ${defaultSince})`,
    )
    .option("--until <time>", "received until (default now)");
}

const statusOption = () => new Option("--status <status>", "only events in this overall status").choices(STATUSES);

/** `events list|show|replay|recover` and `stats`. */
export function addEventsCommands(program: Command, io: CliIo, run: Run): void {
  const events = program.command("events").description("the events the gateway accepted: list, inspect, replay");

  withCommonOptions(
    withWindow(events.command("list").description("list events, newest first (never a Scan)"), "1d")
      .addOption(statusOption())
      .option("--limit <n>", "at most this many (default 50)", positiveInteger),
  ).action((options: ListOptions) =>
    run(async () => {
      return withTarget(options, async (target) => {
        const found = await findEvents(target, {
          ...windowOf(io, options, LIST_DEFAULT_SINCE_MS),
          limit: options.limit ?? 50,
          ...(options.provider !== undefined && { provider: options.provider }),
          ...(options.status !== undefined && { status: options.status }),
          ...(options.destination !== undefined && { destination: options.destination }),
        });
        const summaries = found.map(eventSummary);
        if (options.json) printJson(io, summaries);
        else if (summaries.length === 0) printLine(io, "No event matches (in the window: see --since).");
        else printLine(io, renderList(io, summaries));
        return EXIT.ok;
      });
    }),
  );

  withCommonOptions(
    events
      .command("show")
      .description("an event's whole life: state, every attempt, its destinations")
      .argument("<provider|idempotencyKey>", "the provider (then the event id), or the Idempotency-Key alone")
      .argument("[eventId]", "the provider's event id")
      .option("--payload", "print the stored body too (never by default)")
      .option("--no-dlq", "do not look for a DEAD destination's job in the dead-letter queue")
      .option("--since <time>", "with a key: look for it among events received since (default 7d)"),
  ).action((first: string, eventId: string | undefined, options: ShowOptions) =>
    run(async () => {
      return withTarget(options, async (target) => {
        const pk = await eventPkOf(target, io.nowMs(), [first, eventId], options.since);
        const detail = await showEvent(target, pk, {
          payload: options.payload === true,
          deadLetters: options.dlq !== false,
          nowMs: io.nowMs,
        });
        if (options.json) printJson(io, detail);
        else printLine(io, renderDetail(io, detail));
        return EXIT.ok;
      });
    }),
  );

  withCommonOptions(
    events
      .command("replay")
      .description("deliver an event again: same Idempotency-Key and webhook-id, Oncegate-Attempt-Trigger: replay")
      .argument("<provider|idempotencyKey>", "the provider (then the event id), or the Idempotency-Key alone")
      .argument("[eventId]", "the provider's event id")
      .option(
        "--destination <id>",
        "only this destination (default: every settled one); a configured one the event was never sent to (UNROUTED, or added since) is added to it",
      )
      .option("--since <time>", "with a key: look for it among events received since (default 7d)")
      .option("--yes", "do not ask for confirmation"),
  ).action((first: string, eventId: string | undefined, options: ReplayOptions) =>
    run(async () => {
      assertCanConfirm(io, options.yes === true, "replay");
      return withTarget(options, async (target) => {
        const nowMs = io.nowMs();
        const pk = await eventPkOf(target, nowMs, [first, eventId], options.since);
        const state = await readEvent({ client: target.ddb, tableName: target.resources.eventsTable }, pk);
        if (state === undefined) throw noSuchEvent(pk);
        const where = options.destination ?? "every settled destination";
        const question = `Replay ${state.provider}/${state.eventId} (${state.status}) to ${where} on ${target.label}?`;
        if (!(await confirm(io, options.yes === true, question))) {
          io.stderr.write("oncegate: nothing replayed (answer y to replay).\n");
          return EXIT.failed;
        }
        const results = await replayEvent(target, state, { by: await target.identity(), nowMs }, options.destination);
        if (options.json) {
          printJson(io, {
            provider: state.provider,
            eventId: state.eventId,
            idempotencyKey: state.idempotencyKey,
            destinations: results,
          });
        } else {
          const rows = results.map((result) => [result.destination, result.outcome, result.previous ?? ""]);
          printLine(io, table(["destination", "outcome", "was"], rows));
          printLine(io, `Follow it with: oncegate events show ${state.provider} ${state.eventId}`);
        }
        return EXIT.ok;
      });
    }),
  );

  withCommonOptions(
    withWindow(
      events
        .command("recover")
        .description(
          "replay every FAILED or DEAD destination a filter selects, or send UNROUTED events to --destination: dry run, bounded rate, resumable",
        ),
      "7d",
    )
      .addOption(
        new Option("--status <status>", "the destinations' status to recover (UNROUTED: events sent nowhere)")
          .choices(["FAILED", "DEAD", "UNROUTED"])
          .makeOptionMandatory(),
      )
      .option("--limit <n>", "look at most at this many events (default 10000)", positiveInteger)
      .option("--rate <n/s>", `replays a second (default ${DEFAULT_RATE}/s)`, ratePerSecond)
      .option("--resume <runId>", "skip what the run with this id replayed already (its summary prints the id)")
      .option("--dry-run", "count what would be replayed, change nothing")
      .option("--yes", "do not ask for confirmation"),
  ).action((options: RecoverOptions) =>
    run(async () => {
      if (!options.dryRun) assertCanConfirm(io, options.yes === true, "recover");
      return withTarget(options, async (target) => {
        const plan = await planRecover(target, {
          ...windowOf(io, options, RETENTION_MS),
          limit: options.limit ?? 10_000,
          status: options.status,
          ...(options.provider !== undefined && { provider: options.provider }),
          ...(options.destination !== undefined && { destination: options.destination }),
          ...(options.resume !== undefined && { resumeRunId: options.resume }),
        });
        const count = plan.items.length;
        const routing = options.status === "UNROUTED";
        const what = routing ? `UNROUTED event(s) sent to ${options.destination}` : `${options.status} destination(s)`;
        if (options.dryRun) {
          if (options.json) printJson(io, { count });
          else
            printLine(
              io,
              `${count} ${routing ? `UNROUTED event(s) would be sent to ${options.destination}` : "destination(s) would be replayed"} (dry run: nothing changed).`,
            );
          return EXIT.ok;
        }
        if (count === 0) {
          if (options.json)
            printJson(io, {
              runId: options.resume ?? null,
              matched: plan.skipped,
              replayed: 0,
              skipped: plan.skipped,
              pending: 0,
              failed: 0,
              errors: [],
            });
          else
            printLine(
              io,
              `Nothing to recover: no ${routing ? "UNROUTED event" : `${options.status} destination`} matches${plan.skipped > 0 ? ` that this run did not replay already (${plan.skipped} skipped)` : ""}.`,
            );
          return EXIT.ok;
        }
        const rate = options.rate ?? DEFAULT_RATE;
        const question = routing
          ? `Send ${count} UNROUTED event(s) to ${options.destination} on ${target.label}, ${rate} a second?`
          : `Replay ${count} ${what} on ${target.label}, ${rate} a second?`;
        if (!(await confirm(io, options.yes === true, question))) {
          io.stderr.write("oncegate: nothing replayed (answer y to recover).\n");
          return EXIT.failed;
        }
        const runId = options.resume ?? newRunId(io.nowMs());
        if (!options.json)
          io.stderr.write(`oncegate: recover run ${runId} (rerun with --resume ${runId} to skip what it replayed)\n`);
        const bar = progressBar(io, options.json === true, count);
        let summary: Awaited<ReturnType<typeof recoverEvents>>;
        try {
          summary = await recoverEvents(target, plan, {
            actor: { by: await target.identity(), nowMs: io.nowMs(), runId },
            ratePerSecond: rate,
            onProgress: (done) => bar?.update(done),
          });
        } finally {
          bar?.stop();
        }
        if (options.json) printJson(io, summary);
        else printLine(io, renderRecover(io, summary));
        return summary.failed > 0 ? EXIT.failed : EXIT.ok;
      });
    }),
  );

  withCommonOptions(
    program
      .command("stats")
      .description("counts of events by status and by destination")
      .option("--since <time>", "received since (default 1d)")
      .option("--until <time>", "received until (default now)")
      .option("--limit <n>", "count at most this many events (default 100000)", positiveInteger),
  ).action((options: WindowOptions) =>
    run(async () => {
      return withTarget(options, async (target) => {
        const stats = await eventStats(target, { ...windowOf(io, options, DAY_MS), limit: options.limit ?? 100_000 });
        if (options.json) {
          printJson(io, stats);
          return EXIT.ok;
        }
        const style = styler(io, "stdout");
        printLine(
          io,
          `${stats.events} event(s) received ${stats.since} – ${stats.until}${stats.truncated ? " (limit reached: more not counted)" : ""}`,
        );
        printLine(io, table([...STATUSES], [STATUSES.map((status) => stats.byStatus[status])]));
        const columns = ["PENDING", "DELIVERED", "FAILED", "DEAD"];
        const rows = Object.entries(stats.byDestination).map(([id, counts]) => [
          id,
          ...columns.map((status) => {
            const n = counts[status] ?? 0;
            return n > 0 && (status === "FAILED" || status === "DEAD") ? style("red", String(n)) : n;
          }),
        ]);
        if (rows.length > 0) printLine(io, `\n${table(["destination", ...columns], rows)}`);
        return EXIT.ok;
      });
    }),
  );
}

/** The event `<provider> <eventId>` or `<idempotencyKey>` names; `--since` bounds a key's search. */
function eventPkOf(
  target: OperatorTarget,
  nowMs: number,
  [first, eventId]: [string, string | undefined],
  since: string | undefined,
): Promise<string> {
  return resolveEventPk(target, eventId === undefined ? [first] : [first, eventId], {
    nowMs,
    ...(since !== undefined && { sinceMs: timeOption("since", since, nowMs, 0) }),
  });
}

function destinationsCell(summary: EventSummary): string {
  return Object.entries(summary.destinations)
    .map(([id, view]) => `${id}:${view.status}(${view.attempts})`)
    .join(" ");
}

function renderList(io: CliIo, summaries: EventSummary[]): string {
  const style = styler(io, "stdout");
  const rows = summaries.map((summary) => [
    summary.receivedAt,
    summary.provider,
    summary.eventId,
    summary.eventType ?? "",
    summary.idempotencyKey,
    style(statusStyle(summary.status), summary.status),
    destinationsCell(summary),
  ]);
  const header = ["received", "provider", "event id", "type", "idempotency key", "status", "destinations (attempts)"];
  return table(header, rows);
}

function renderDetail(io: CliIo, detail: EventDetail): string {
  const style = styler(io, "stdout");
  const parts = [
    keyValues([
      ["event", `${detail.provider}/${detail.eventId}`],
      ["idempotency key", detail.idempotencyKey],
      ["type", detail.eventType],
      ["status", style(statusStyle(detail.status), detail.status)],
      ["received", detail.receivedAt],
      ["queued", detail.queuedAt],
      ["expires", detail.expiresAt],
      [
        "body",
        `${detail.bodyBytes ?? "?"} bytes, ${detail.bodyStorage}${detail.contentType ? `, ${detail.contentType}` : ""}`,
      ],
    ]),
    "",
    table(
      ["destination", "status", "attempts", "reason", "next attempt", "dead-letter job"],
      Object.entries(detail.destinations).map(([id, view]) => [
        id,
        style(statusStyle(view.status), view.status),
        view.attempts,
        view.reason ?? "",
        view.nextAttemptAt ?? "",
        view.deadLetterMessageId ?? "",
      ]),
    ),
  ];
  if (detail.deadLetterQueue !== undefined) {
    const { checked, jobs } = detail.deadLetterQueue;
    const where =
      checked === "all"
        ? "the dead-letter queue"
        : `the first ${DEAD_LETTERS_LOOKED_AT} messages of its destinations' dead-letter queues`;
    parts.push(
      "",
      jobs.length === 0
        ? `No job of this event in ${where}.`
        : `In ${where}: ${jobs.map((job) => `${job.destination} (message ${job.messageId}, ${job.receiveCount} receives)`).join(", ")}.`,
    );
  }
  if (detail.attempts.length > 0) {
    parts.push(
      "",
      table(
        ["at", "destination", "attempt", "trigger", "answer", "latency", "response"],
        detail.attempts.map((attempt) => [
          attempt.at,
          attempt.destination,
          attempt.attempt,
          attempt.trigger,
          attempt.statusCode ?? attempt.error ?? "",
          `${attempt.latencyMs} ms`,
          oneLine(attempt.response, 60),
        ]),
      ),
    );
  } else {
    parts.push("", "No attempt yet.");
  }
  if (detail.payload !== undefined)
    parts.push("", detail.payload.encoding === "utf8" ? detail.payload.data : `(base64) ${detail.payload.data}`);
  return parts.join("\n");
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function renderRecover(io: CliIo, summary: Awaited<ReturnType<typeof recoverEvents>>): string {
  const style = styler(io, "stdout");
  const lines = [
    keyValues([
      ["run", summary.runId],
      ["matched", summary.matched],
      ["replayed", summary.replayed],
      ["skipped (replayed by this run before)", summary.skipped],
      ["being delivered (left alone)", summary.pending],
      ["failed", summary.failed > 0 ? style("red", String(summary.failed)) : 0],
    ]),
  ];
  for (const error of summary.errors)
    lines.push(style("red", `  ${error.event} → ${error.destination}: ${error.error}`));
  if (summary.failed > 0) lines.push(`Run the same command with --resume ${summary.runId} to retry what failed.`);
  return lines.join("\n");
}

function progressBar(io: CliIo, json: boolean, total: number): SingleBar | undefined {
  if (json || io.stderr.isTTY !== true) return undefined;
  const bar = new SingleBar({
    format: "replaying [{bar}] {value}/{total} destinations",
    stream: io.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0);
  return bar;
}
