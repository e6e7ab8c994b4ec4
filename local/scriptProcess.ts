import { type ChildProcess, spawn } from "node:child_process";

/**
 * A command of this repository (`local/start.ts`, `local/consumer.ts`) run as a child process of another Node
 * program, its output captured: what `stackProcess.ts` and `consumerProcess.ts` are built on.
 */

/** How a child ended: `signal` is `SIGKILL` when it was killed (a shell shows exit 137). */
export interface ScriptExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A command running as a child process. */
export interface ScriptProcess {
  child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr. */
  stdout(): string;
  stderr(): string;
  /** Resolves once it has exited. */
  exited: Promise<ScriptExit>;
  /** SIGTERM (a clean shutdown), then the exit. */
  stop(): Promise<ScriptExit>;
}

/**
 * Runs `script` with the Node that runs the caller (the project's Node 24). The child gets the caller's environment
 * without `AWS_ENDPOINT_URL*`, `ONCEGATE_*` and `NODE_OPTIONS` (a test run points the AWS SDK at its own DynamoDB
 * Local: the child must use nothing but what it is given), plus `env` (`undefined` removes a variable).
 */
export function spawnScript(
  script: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
): ScriptProcess {
  const childEnv: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(childEnv))
    if (name.startsWith("AWS_ENDPOINT_URL") || name.startsWith("ONCEGATE_")) delete childEnv[name];
  delete childEnv.NODE_OPTIONS;
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, [script, ...args], {
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<ScriptExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

/**
 * Resolves once the child printed a line that starts with `readyPrefix`.
 * @throws Error naming `what`, with its output, when it exits first or is not ready within `timeoutMs` (it is
 * stopped then)
 */
export async function waitForReadyLine(
  script: ScriptProcess,
  readyPrefix: string,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exit: ScriptExit | undefined;
  script.exited.then((value) => {
    exit = value;
  });
  while (
    !script
      .stdout()
      .split("\n")
      .some((line) => line.startsWith(readyPrefix))
  ) {
    if (exit !== undefined || Date.now() > deadline) {
      await script.stop();
      const why = exit === undefined ? `not ready within ${timeoutMs} ms` : `exited (${JSON.stringify(exit)})`;
      throw new Error(`${what} ${why}:\n${script.stdout()}\n${script.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
