import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./freePort.ts";
import { stopLeftoverDynamoDb } from "./pidFiles.ts";
import { type ScriptExit, type ScriptProcess, spawnScript, waitForReadyLine } from "./scriptProcess.ts";

/**
 * `npm start` as a child process of another Node program: the integration tests and the end-to-end benchmark
 * drive the real stack over HTTP this way, exactly as a user's terminal would.
 */

/** `local/start.ts`, run by the Node that runs the caller (the project's Node 24). */
const START_SCRIPT = new URL("./start.ts", import.meta.url).pathname;

/** How a stack process ended: `signal` is `SIGKILL` when a crash point fired (a shell shows exit 137). */
export type StackExit = ScriptExit;

/** `npm start` as a real child process. */
export interface StackProcess extends ScriptProcess {
  port: number;
  baseUrl: string;
  dataDir: string;
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
  const args = ["--port", String(port), "--data-dir", dataDir, ...(options.args ?? [])];
  const script = spawnScript(START_SCRIPT, args, options.env);
  return { ...script, port, baseUrl: `http://127.0.0.1:${port}`, dataDir };
}

/**
 * Starts the stack and resolves once it printed `oncegate: ready`.
 * @throws Error with its output when it exits first or is not ready within `timeoutMs`
 */
export async function startStack(options: StackProcessOptions = {}, timeoutMs = 30_000): Promise<StackProcess> {
  const stack = await spawnStack(options);
  await waitForReadyLine(stack, "oncegate: ready ", "the stack", timeoutMs);
  return stack;
}
