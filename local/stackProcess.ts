import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./freePort.ts";
import { stopLeftoverDynamoDb } from "./pidFiles.ts";

/**
 * `npm start` as a child process of another Node program: the integration tests and the end-to-end benchmark
 * drive the real stack over HTTP this way, exactly as a user's terminal would.
 */

/** `local/start.ts`, run by the Node that runs the caller (the project's Node 24). */
const START_SCRIPT = new URL("./start.ts", import.meta.url).pathname;

/** How a stack process ended: `signal` is `SIGKILL` when a crash point fired (a shell shows exit 137). */
export interface StackExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `npm start` as a real child process. */
export interface StackProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  dataDir: string;
  /** Everything it wrote so far, stdout and stderr. */
  stdout(): string;
  stderr(): string;
  /** Resolves once it has exited. */
  exited: Promise<StackExit>;
  /** SIGTERM (a clean shutdown), then the exit. */
  stop(): Promise<StackExit>;
}

export interface StackProcessOptions {
  /** @default a free port */
  port?: number;
  /** @default a fresh temporary directory ({@link newDataDir}) */
  dataDir?: string;
  /** Added to the caller's environment (`undefined` removes a variable). */
  env?: Record<string, string | undefined>;
  /** Extra flags. */
  args?: string[];
}

/** A fresh temporary data directory. */
export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), "oncegate-stack-"));
}

/** Stops a DynamoDB Local a killed stack left behind, then deletes the directory. */
export async function removeDataDir(dataDir: string): Promise<void> {
  await stopLeftoverDynamoDb(dataDir);
  rmSync(dataDir, { recursive: true, force: true });
}

/** Spawns the stack without waiting for it (for start-up failures). */
export async function spawnStack(options: StackProcessOptions = {}): Promise<StackProcess> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? newDataDir();
  const env: Record<string, string | undefined> = { ...process.env };
  // A test run points the AWS SDK at its own DynamoDB Local: the stack must use nothing but its own.
  for (const name of Object.keys(env))
    if (name.startsWith("AWS_ENDPOINT_URL") || name.startsWith("ONCEGATE_")) delete env[name];
  delete env.NODE_OPTIONS;
  Object.assign(env, options.env);
  const args = [START_SCRIPT, "--port", String(port), "--data-dir", dataDir, ...(options.args ?? [])];
  const child = spawn(process.execPath, args, { env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<StackExit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    dataDir,
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
 * Starts the stack and resolves once it printed `oncegate: ready`.
 * @throws Error with its output when it exits first or is not ready within `timeoutMs`
 */
export async function startStack(options: StackProcessOptions = {}, timeoutMs = 30_000): Promise<StackProcess> {
  const stack = await spawnStack(options);
  const deadline = Date.now() + timeoutMs;
  let exit: StackExit | undefined;
  stack.exited.then((value) => {
    exit = value;
  });
  while (!/^oncegate: ready /m.test(stack.stdout())) {
    if (exit !== undefined || Date.now() > deadline) {
      await stack.stop();
      const why = exit === undefined ? `not ready within ${timeoutMs} ms` : `exited (${JSON.stringify(exit)})`;
      throw new Error(`the stack ${why}:\n${stack.stdout()}\n${stack.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return stack;
}
