import { type Command, Option } from "commander";
import { DEFAULT_MIN_AGE_MS } from "../../keys/keyRecord.ts";
import { applyRelease, planRelease } from "../../keys/releaseKey.ts";
import { showKey } from "../../keys/showKey.ts";
import { keyRefOf } from "../../keys/targetKeyRef.ts";
import type { CliIo } from "../cliIo.ts";
import { styler } from "../cliIo.ts";
import { assertCanConfirm, confirm } from "../confirm.ts";
import { EXIT } from "../exitCodes.ts";
import { printJson, printLine } from "../output.ts";
import { durationMs } from "../parseValues.ts";
import { type CommonOptions, withCommonOptions, withTarget } from "../targetOptions.ts";
import { renderKey } from "./renderKey.ts";

interface KeyOptions extends CommonOptions {
  table?: string;
  scope?: string;
}

interface ReleaseOptions extends KeyOptions {
  reason: string;
  yes?: boolean;
  force?: boolean;
  minAge: number;
}

/** Runs a command's action; its exit code goes to `exit`. */
export type Run = (action: () => Promise<number>) => Promise<void>;

const TABLE_HELP = "the consumer's idempotency table (default on the local stack: the demo consumer's)";
const SCOPE_HELP = "the SDK's scope (default: the demo consumer's locally; else its Lambda function name)";

/** `keys show` and `keys release`: a consumer's idempotency records. */
export function addKeysCommands(program: Command, io: CliIo, run: Run): void {
  const keys = program.command("keys").description("a consumer's idempotency records (the SDK's table)");

  withCommonOptions(
    keys
      .command("show")
      .description("show a key's record: status, times, error, lease, owner, audit trail")
      .argument("<key>", "the Idempotency-Key, e.g. whk_…")
      .option("--table <name>", TABLE_HELP)
      .option("--scope <scope>", SCOPE_HELP),
  ).action((key: string, options: KeyOptions) =>
    run(async () => {
      return withTarget(options, async (target) => {
        const { view } = await showKey(target.ddb, keyRefOf(target, key, options), io.nowMs());
        if (options.json) printJson(io, view);
        else printLine(io, renderKey(io, view));
        return EXIT.ok;
      });
    }),
  );

  withCommonOptions(
    keys
      .command("release")
      .description("let the next delivery of a key run its handler again, with an audit entry")
      .argument("<key>", "the Idempotency-Key, e.g. whk_…")
      .requiredOption("--reason <text>", "why, for the audit entry")
      .option("--table <name>", TABLE_HELP)
      .option("--scope <scope>", SCOPE_HELP)
      .addOption(
        new Option("--min-age <duration>", "youngest IN_PROGRESS claim released without --force (90s, 15m, 2h)")
          .argParser(durationMs)
          .default(DEFAULT_MIN_AGE_MS, "15m"),
      )
      .option("--force", "release a COMPLETED key, or an IN_PROGRESS one within its lease or --min-age")
      .option("--yes", "do not ask for confirmation"),
  ).action((key: string, options: ReleaseOptions) =>
    run(async () => {
      assertCanConfirm(io, options.yes === true, "release the key");
      return withTarget(options, async (target) => {
        const ref = keyRefOf(target, key, options);
        const rules = { force: options.force === true, minAgeMs: options.minAge, nowMs: io.nowMs() };
        const plan = await planRelease(target.ddb, ref, options.reason, rules);
        if (plan.refusal !== undefined) throw plan.refusal;
        if (plan.alreadyReleased) {
          if (options.json) printJson(io, { outcome: "already_released", record: plan.view });
          else printLine(io, `Key ${ref.key} is already released: its next delivery runs the handler.`);
          return EXIT.ok;
        }
        if (!options.json && !options.yes) printLine(io, `${renderKey(io, plan.view)}\n`);
        const question = `Release key ${ref.key} (${plan.view.status}) so that its next delivery runs the handler again?`;
        if (!(await confirm(io, options.yes === true, question))) {
          io.stderr.write("oncegate: not released (answer y to release).\n");
          return EXIT.failed;
        }
        const by = await target.identity();
        const after = await applyRelease(target.ddb, plan, { reason: options.reason, by, nowMs: io.nowMs() });
        if (options.json) {
          printJson(io, { outcome: "released", record: after });
        } else {
          const style = styler(io, "stdout");
          printLine(
            io,
            `${style("green", "released")} ${ref.key} (was ${plan.view.status}): its next delivery runs the handler again.`,
          );
        }
        return EXIT.ok;
      });
    }),
  );
}
