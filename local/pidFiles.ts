import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Pid files in the data directory. `oncegate.pid` says which stack owns the directory (two stacks on one set of
 * DynamoDB files would corrupt them); `dynamodb.pid` names the DynamoDB Local JVM, which outlives a stack killed
 * with SIGKILL and keeps its port and its files until someone stops it.
 */

/** Thrown when a live stack already uses the data directory. */
export class DataDirInUseError extends Error {
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(`another oncegate stack (pid ${pid}) is using ${dataDir}: stop it first, or pass another --data-dir`);
    this.name = "DataDirInUseError";
    this.pid = pid;
  }
}

const STACK_PID_FILE = "oncegate.pid";
const DYNAMODB_PID_FILE = "dynamodb.pid";

/**
 * Makes this process the owner of `dataDir`, unless a live stack owns it already.
 * @throws DataDirInUseError naming the owner's pid
 * @returns a function that gives the directory up (removes the pid file if it is still ours)
 */
export function claimDataDir(dataDir: string): () => void {
  const path = join(dataDir, STACK_PID_FILE);
  const owner = readPid(path);
  // A pid file whose process is gone (or is no longer a stack) was left by a crash: take it over.
  if (owner !== undefined && owner !== process.pid && isRunning(owner, "start.ts")) {
    throw new DataDirInUseError(dataDir, owner);
  }
  writeFileSync(path, `${process.pid}\n`);
  return () => {
    if (readPid(path) === process.pid) rmSync(path, { force: true });
  };
}

/** Remembers the DynamoDB Local JVM this stack started. */
export function recordDynamoDbPid(dataDir: string, pid: number): void {
  writeFileSync(join(dataDir, DYNAMODB_PID_FILE), `${pid}\n`);
}

/** The pid of the DynamoDB Local JVM the stack on `dataDir` started, while it has one (the harness pauses it). */
export function readDynamoDbPid(dataDir: string): number | undefined {
  return readPid(join(dataDir, DYNAMODB_PID_FILE));
}

/** Forgets it once it has stopped. */
export function forgetDynamoDbPid(dataDir: string): void {
  rmSync(join(dataDir, DYNAMODB_PID_FILE), { force: true });
}

/**
 * Stops a DynamoDB Local left running by a stack that died without cleaning up (SIGTERM, then SIGKILL after 5 s),
 * so that the new one does not share its database files. Returns its pid when there was one.
 */
export async function stopLeftoverDynamoDb(dataDir: string): Promise<number | undefined> {
  const path = join(dataDir, DYNAMODB_PID_FILE);
  const pid = readPid(path);
  // The pid may have been reused by an unrelated process since: only a DynamoDB Local is stopped.
  if (pid === undefined || !isRunning(pid, "DynamoDBLocal")) {
    rmSync(path, { force: true });
    return undefined;
  }
  process.kill(pid, "SIGTERM");
  if (!(await exited(pid, 5_000))) {
    process.kill(pid, "SIGKILL");
    await exited(pid, 5_000);
  }
  rmSync(path, { force: true });
  return pid;
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, "utf8").trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive, and (where `/proc` tells) running a command line that contains `marker`. */
function isRunning(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
  } catch {
    // No /proc (macOS): trust the pid.
    return true;
  }
}

async function exited(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isRunning(pid, "")) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isRunning(pid, "");
}
