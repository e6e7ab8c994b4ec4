import tab from "@bomb.sh/tab/commander";
import { Command, CommanderError } from "commander";
import packageJson from "../../package.json" with { type: "json" };
import { OperatorError } from "../errors.ts";
import type { CliIo } from "./cliIo.ts";
import { addConsoleCommand } from "./commands/consoleCommand.ts";
import { addDestinationsCommands } from "./commands/destinationsCommands.ts";
import { addDlqCommands } from "./commands/dlqCommands.ts";
import { addEventsCommands } from "./commands/eventsCommands.ts";
import { addKeysCommands } from "./commands/keysCommands.ts";
import { EXIT, exitCodeOf } from "./exitCodes.ts";
import { printJson } from "./output.ts";

/**
 * The `oncegate` command line: commander parses and prints help; each command's action calls the operator library
 * (`ops/`), prints, and asks for confirmation. Returns the exit code (see `exitCodes.ts`).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const json = argv.includes("--json");
  let exitCode: number = EXIT.ok;
  const run = async (action: () => Promise<number>) => {
    try {
      exitCode = await action();
    } catch (error) {
      exitCode = reportError(io, error, json);
    }
  };
  const program = new Command("oncegate")
    .description("Operate an Oncegate gateway: on the local stack (--local, the default) or on AWS (--stack).")
    .version(packageJson.version)
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`oncegate: ${text.replace(/^error: /, "").trim()} (see --help).\n`),
    })
    .exitOverride();
  addEventsCommands(program, io, run);
  addKeysCommands(program, io, run);
  addDlqCommands(program, io, run);
  addDestinationsCommands(program, io, run);
  addConsoleCommand(program, io, run);
  // Shell completion (bash, zsh, fish, powershell): `oncegate completion <shell>` prints the script to source;
  // the shell then asks `oncegate completion -- <words>` for the commands and options that fit.
  tab(program, { completionCommandName: "completion" });
  // Every command and subcommand answers a usage error with an exit code, not process.exit.
  const configure = (command: Command) => {
    command.exitOverride().configureOutput(program.configureOutput());
    for (const child of command.commands) configure(child);
  };
  for (const command of program.commands) configure(command);
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (!(error instanceof CommanderError)) return reportError(io, error, json);
    // Help and version are asked for; anything else commander refuses is a usage error (already printed).
    return error.code === "commander.helpDisplayed" ||
      error.code === "commander.help" ||
      error.code === "commander.version"
      ? EXIT.ok
      : EXIT.usage;
  }
  return exitCode;
}

/** One sentence on stderr (and, with --json, `{ error: { code, message } }` on stdout); the exit code. */
function reportError(io: CliIo, error: unknown, json: boolean): number {
  if (error instanceof OperatorError) {
    io.stderr.write(`oncegate: ${error.message}\n`);
    if (json) printJson(io, { error: { code: error.code, message: error.message } });
    return exitCodeOf(error.kind);
  }
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  const text = `Unexpected ${name ?? "error"}: ${message ?? String(error)} (run again with ONCEGATE_DEBUG=1 for the stack trace).`;
  io.stderr.write(`oncegate: ${text}\n`);
  if (io.env.ONCEGATE_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ""}\n`);
  if (json) printJson(io, { error: { code: "unexpected", message: text } });
  return EXIT.failed;
}
