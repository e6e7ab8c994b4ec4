import { SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import type { DeadLetterSelection } from "../../deadLetters/deadLetter.ts";
import { pkOfEventArgument } from "../../deadLetters/eventRef.ts";
import { listDeadLetters } from "../../deadLetters/listDeadLetters.ts";
import { countRedrivable, type RedriveSummary, redriveDeadLetters } from "../../deadLetters/redriveDeadLetters.ts";
import { NotFoundError } from "../../errors.ts";
import type { CliIo } from "../cliIo.ts";
import { styler } from "../cliIo.ts";
import { assertCanConfirm, confirm } from "../confirm.ts";
import { EXIT } from "../exitCodes.ts";
import { ago, keyValues, printJson, printLine, table } from "../output.ts";
import { positiveInteger } from "../parseValues.ts";
import { type CommonOptions, withCommonOptions, withTarget } from "../targetOptions.ts";
import type { Run } from "./keysCommands.ts";

interface ListOptions extends CommonOptions {
  destination?: string;
  max?: number;
}

interface RedriveOptions extends ListOptions {
  event?: string;
  key?: string;
  message?: string[];
  dryRun?: boolean;
  yes?: boolean;
}

function selectionOf(options: RedriveOptions): DeadLetterSelection {
  return {
    ...(options.destination !== undefined && { destination: options.destination }),
    ...(options.event !== undefined && { pk: pkOfEventArgument(options.event) }),
    ...(options.key !== undefined && { idempotencyKey: options.key }),
    ...(options.message !== undefined && { messageIds: options.message }),
  };
}

/** `dlq list` and `dlq redrive`: the dead-letter queues, one per destination on AWS (one shared locally). */
export function addDlqCommands(program: Command, io: CliIo, run: Run): void {
  const dlq = program.command("dlq").description("the dead-letter queue: jobs whose delivery never succeeded");

  withCommonOptions(
    dlq
      .command("list")
      .description("list the dead jobs (received and given back, never deleted)")
      .option("--destination <id>", "only this destination's jobs (only its dead-letter queue is read)")
      .option("--max <n>", "read at most this many messages", positiveInteger),
  ).action((options: ListOptions) =>
    run(async () => {
      return withTarget(options, async (target) => {
        const letters = await listDeadLetters(target, selectionOf(options), { max: options.max, nowMs: io.nowMs });
        if (options.json) {
          printJson(io, letters);
        } else if (letters.length === 0) {
          printLine(io, "The dead-letter queue holds no job (that matches).");
        } else {
          const rows = letters.map((letter) => [
            ago(letter.ageSeconds) ?? "",
            letter.provider === undefined ? (letter.pk ?? "(not a job)") : `${letter.provider}/${letter.eventId}`,
            letter.destination ?? "",
            letter.receiveCount,
            letter.idempotencyKey ?? "",
            letter.messageId,
          ]);
          printLine(io, table(["age", "event", "destination", "receives", "idempotency key", "message"], rows));
        }
        return EXIT.ok;
      });
    }),
  );

  withCommonOptions(
    dlq
      .command("redrive")
      .description("send dead jobs back to the delivery queue (their destinations leave DEAD first)")
      .option("--destination <id>", "only this destination's jobs")
      .addOption(new Option("--event <provider/eventId>", "only this event's jobs").conflicts("key"))
      .option("--key <idempotencyKey>", "only the jobs of the event with this Idempotency-Key")
      .option("--message <messageId...>", "only these messages (their ids, as dlq list prints them)")
      .option("--max <n>", "redrive at most this many jobs", positiveInteger)
      .option("--dry-run", "count the jobs that would be redriven, change nothing")
      .option("--yes", "do not ask for confirmation"),
  ).action((options: RedriveOptions) =>
    run(async () => {
      if (!options.dryRun) assertCanConfirm(io, options.yes === true, "redrive");
      const selection = selectionOf(options);
      return withTarget(options, async (target) => {
        const request = { selection, max: options.max, nowMs: io.nowMs };
        if (options.dryRun) {
          const counted = await countRedrivable(target, request);
          if (options.json) printJson(io, counted);
          else printLine(io, `${counted.count} job(s) would be redriven (dry run: nothing changed).`);
          return EXIT.ok;
        }
        if (!options.yes) {
          const { count } = await countRedrivable(target, request);
          if (count === 0) return nothingToRedrive(io, options, selection);
          if (!(await confirm(io, false, `Redrive ${count} job(s) from ${target.label}'s dead-letter queue?`))) {
            io.stderr.write("oncegate: nothing redriven (answer y to redrive).\n");
            return EXIT.failed;
          }
        }
        const bar = progressBar(io, options.json === true);
        let summary: RedriveSummary;
        try {
          summary = await redriveDeadLetters(target, {
            ...request,
            onProgress: ({ done, total }) => {
              if (bar === undefined) return;
              if (done === 0) bar.start(total, 0);
              bar.setTotal(total);
              bar.update(done);
            },
          });
        } finally {
          bar?.stop();
        }
        if (summary.matched === 0 && summary.mode === "messages")
          return nothingToRedrive(io, options, selection, summary);
        if (options.json) printJson(io, summary);
        else printLine(io, renderSummary(io, summary));
        return summary.failed > 0 ? EXIT.failed : EXIT.ok;
      });
    }),
  );
}

function nothingToRedrive(
  io: CliIo,
  options: RedriveOptions,
  selection: DeadLetterSelection,
  summary?: RedriveSummary,
): number {
  const selected = Object.keys(selection).length > 0;
  if (selected) {
    throw new NotFoundError(
      "no_matching_dead_job",
      "No job in the dead-letter queue matches the selection: run dlq list to see what is there.",
    );
  }
  if (options.json) printJson(io, summary ?? { mode: "messages", matched: 0, sent: 0 });
  else printLine(io, "The dead-letter queue holds no job: nothing to redrive.");
  return EXIT.ok;
}

function progressBar(io: CliIo, json: boolean): SingleBar | undefined {
  if (json || io.stderr.isTTY !== true) return undefined;
  return new SingleBar({
    format: "redriving [{bar}] {value}/{total} messages",
    stream: io.stderr,
    hideCursor: true,
    clearOnComplete: true,
  });
}

/** One move task per dead-letter queue: one on a shared queue, one per destination on AWS. */
function moveTasksText(summary: RedriveSummary): string {
  const handles = summary.taskHandles ?? (summary.taskHandle === undefined ? [] : [summary.taskHandle]);
  return `SQS message move task${handles.length === 1 ? "" : "s"} ${handles.join(", ")}`;
}

function renderSummary(io: CliIo, summary: RedriveSummary): string {
  const style = styler(io, "stdout");
  const lines = [
    keyValues([
      ["mode", summary.mode === "move-task" ? moveTasksText(summary) : "receive, send, delete"],
      ["matched", summary.matched],
      ["sent", summary.mode === "move-task" ? "all (moved by SQS)" : summary.sent],
      ["marked redriven", summary.markedRedriven],
      ["already pending", summary.alreadyPending],
      ["dropped", summary.dropped],
      ["unreadable", summary.unreadable],
      ["failed", summary.failed > 0 ? style("red", String(summary.failed)) : 0],
    ]),
  ];
  for (const failure of summary.errors) lines.push(style("red", `  ${failure.messageId}: ${failure.error}`));
  if (summary.failed > 0)
    lines.push("Failed jobs stay in the dead-letter queue: run dlq redrive again once the cause is fixed.");
  return lines.join("\n");
}
