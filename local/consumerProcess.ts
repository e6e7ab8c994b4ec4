import type { ConsumerFramework } from "./consumerOptions.ts";
import { freePort } from "./freePort.ts";
import { DEMO_CONSUMER_PATH } from "./localConfig.ts";
import { type ScriptProcess, spawnScript, waitForReadyLine } from "./scriptProcess.ts";

/**
 * `npm run consumer` as a child process: the reliability harness kills it alone while the stack runs on, and the
 * integration tests drive it over HTTP.
 */

/** `local/consumer.ts`, run by the Node that runs the caller. */
const CONSUMER_SCRIPT = new URL("./consumer.ts", import.meta.url).pathname;

/** `npm run consumer` as a real child process. */
export interface ConsumerProcess extends ScriptProcess {
  port: number;
  /** `http://127.0.0.1:<port>/consumer/demo`: what the stack's `ONCEGATE_DESTINATIONS` names. */
  url: string;
}

export interface ConsumerProcessOptions {
  /** The stack's DynamoDB Local (`readyDynamoDbEndpoint` reads it from the stack's output). */
  dynamoDbEndpoint: string;
  /** The same port again for a restart: the stack's destination URL names it. @default a free port */
  port?: number;
  /** Added to the caller's environment (`undefined` removes a variable). */
  env?: Record<string, string | undefined>;
  /** @default "lambda" */
  framework?: ConsumerFramework;
  /** Where its crash markers go. @default the repository's `.oncegate/` */
  dataDir?: string;
}

/** The URL a consumer on `port` will answer at, for a stack started before it. */
export function consumerUrl(port: number): string {
  return `http://127.0.0.1:${port}${DEMO_CONSUMER_PATH}`;
}

/**
 * Starts the consumer and resolves once it printed `oncegate consumer: ready`.
 * @throws Error with its output when it exits first or is not ready within `timeoutMs`
 */
export async function startConsumer(options: ConsumerProcessOptions, timeoutMs = 15_000): Promise<ConsumerProcess> {
  const port = options.port ?? (await freePort());
  const args = ["--port", String(port), "--dynamodb", options.dynamoDbEndpoint];
  if (options.framework !== undefined) args.push("--framework", options.framework);
  if (options.dataDir !== undefined) args.push("--data-dir", options.dataDir);
  const consumer = { ...spawnScript(CONSUMER_SCRIPT, args, options.env), port, url: consumerUrl(port) };
  await waitForReadyLine(consumer, "oncegate consumer: ready ", "the consumer", timeoutMs);
  return consumer;
}
