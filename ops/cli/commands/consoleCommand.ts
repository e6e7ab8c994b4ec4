import type { Command } from "commander";
import { type RunningConsole, startConsole } from "../../console/consoleServer.ts";
import type { CliIo } from "../cliIo.ts";
import { EXIT } from "../exitCodes.ts";
import { printLine } from "../output.ts";
import { positiveInteger } from "../parseValues.ts";
import { type CommonOptions, resolveTarget, withTargetOptions } from "../targetOptions.ts";
import type { Run } from "./keysCommands.ts";

interface ConsoleOptions extends CommonOptions {
  port?: number;
}

/** Resolves at the first SIGINT or SIGTERM: the console runs until the operator stops it. */
function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

/**
 * In a terminal, Enter prints another sign-in URL (another browser, or one whose cookie is gone), so that a spent
 * token never means a restart. Not when stdin is a pipe: a script reads the first URL and nothing waits on it.
 */
function offerSignInUrls(io: CliIo, running: RunningConsole): () => void {
  if (!process.stdin.isTTY) return () => {};
  printLine(io, "Press Enter for another sign-in URL.");
  const onLine = () => printLine(io, `Another sign-in URL: ${running.signInUrl()}`);
  process.stdin.on("data", onLine);
  return () => {
    process.stdin.off("data", onLine);
    process.stdin.pause();
  };
}

/** `console`: the operator console, a local web server on 127.0.0.1 over the same target and library. */
export function addConsoleCommand(program: Command, io: CliIo, run: Run): void {
  withTargetOptions(
    program
      .command("console")
      .description(
        "serve the operator console on 127.0.0.1 and print a sign-in URL (its token signs in once); Ctrl-C stops it",
      ),
  )
    .option("--port <n>", "listen on this port (default: a free one)", positiveInteger)
    .action((options: ConsoleOptions) =>
      run(async () => {
        const target = await resolveTarget(options);
        try {
          const running = await startConsole(target, { ...(options.port !== undefined && { port: options.port }) });
          printLine(io, `Oncegate console for ${target.label}: ${running.url}`);
          printLine(
            io,
            "Open it in a browser on this machine: its token signs in that browser, once. Ctrl-C stops it.",
          );
          const stopOffering = offerSignInUrls(io, running);
          await untilStopped();
          stopOffering();
          await running.close();
          return EXIT.ok;
        } finally {
          target.close();
        }
      }),
    );
}
