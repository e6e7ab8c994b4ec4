import { maxAttempts } from "../lambdas/delivery/retrySchedule.ts";
import { LOCAL_DEFAULTS } from "./localEnvironment.ts";
import { localSecrets } from "./localSecrets.ts";
import type { LocalStack } from "./localStack.ts";

/** Where the stack keeps what it keeps. */
export interface ReadyContext {
  dataDir: string;
  inMemory: boolean;
  logFile: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Label of the ready message's DynamoDB Local line, which {@link readyDynamoDbEndpoint} reads back. */
const DYNAMODB_LABEL = "  dynamodb      ";

/**
 * What `npm start` prints once everything is up: exactly one line starting with `oncegate: ready` and the intake
 * URL, then what a user needs to send webhooks: providers, destinations, timings, the DynamoDB Local endpoint (for
 * `npm run consumer`), and the secrets in use.
 */
export function readyMessage(
  stack: Pick<LocalStack, "baseUrl" | "config" | "sweepIntervalSeconds" | "dynamoDbEndpoint">,
  context: ReadyContext,
) {
  const { baseUrl, config } = stack;
  const schedule = config.retryScheduleSeconds;
  const destinations = config.destinations.map(
    ({ id, url, events }) => `${id} → ${url}${events === undefined ? "" : ` (events: ${events.join(", ")})`}`,
  );
  const lines = [
    `oncegate: ready ${baseUrl}/webhooks/{provider}`,
    `  providers     ${Object.keys(config.providers).join(", ")}`,
    `  destinations  ${destinations.join("\n                ")}`,
    `  retries       after ${schedule.join(", ")} s (${maxAttempts(schedule)} attempts), then the dead-letter queue`,
    `  sweeper       every ${stack.sweepIntervalSeconds} s, requeues events still RECEIVED after ${config.sweepAfterSeconds} s`,
    `  stats         GET ${baseUrl}/stats`,
    `  event status  GET ${baseUrl}/events/{provider}/{eventId}`,
    `  state         ${context.inMemory ? "in memory (nothing survives a restart)" : context.dataDir}`,
    `  logs          ${context.logFile}`,
    `${DYNAMODB_LABEL}${stack.dynamoDbEndpoint} (DynamoDB Local, one database for every client)`,
    `  own consumer  npm run consumer -- --dynamodb ${stack.dynamoDbEndpoint} (the demo consumer in a process of its own)`,
    "  secrets (local defaults unless set in the environment; never use them anywhere else):",
    ...localSecrets(context.env).map(
      ({ variable, value, fromEnvironment }) =>
        `    ${variable}=${value}${fromEnvironment ? " (from the environment)" : ""}`,
    ),
    `  try it: ${chaosCommand(baseUrl)}   (Ctrl-C stops everything)`,
  ];
  return lines;
}

/** The chaos command that targets this stack: `--url` only when it is not where `npm run chaos` looks by default. */
export function chaosCommand(baseUrl: string): string {
  const command = "npm run chaos -- evt_test_1";
  return baseUrl === `http://127.0.0.1:${LOCAL_DEFAULTS.port}` ? command : `${command} --url ${baseUrl}`;
}

/**
 * The DynamoDB Local endpoint a ready message names (from a stack's captured stdout).
 * @throws Error when the output holds no ready message
 */
export function readyDynamoDbEndpoint(output: string): string {
  const line = output.split("\n").find((candidate) => candidate.startsWith(DYNAMODB_LABEL));
  const endpoint = line?.slice(DYNAMODB_LABEL.length).split(" ")[0];
  if (endpoint === undefined || endpoint === "") throw new Error("no DynamoDB Local endpoint in the stack's output");
  return endpoint;
}
