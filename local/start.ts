/**
 * `npm start`: the whole gateway on this machine (see `localStack.ts`). Prints progress lines, then one line
 * `oncegate: ready <intake URL>`; Ctrl-C (SIGINT), SIGTERM or SIGHUP stop everything it started (`signalShutdown.ts`).
 */
import type { ChildProcess } from "node:child_process";
import { systemClock } from "../lambdas/shared/clock.ts";
import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import { optionsOrExit } from "./cliUsage.ts";
import { JavaMissingError } from "./dynamoDbLocal.ts";
import { PortInUseError } from "./httpFront.ts";
import { type LocalStack, startLocalStack } from "./localStack.ts";
import { DataDirInUseError, forgetDynamoDbPid } from "./pidFiles.ts";
import { readyMessage } from "./readyMessage.ts";
import { stopOnSignals } from "./signalShutdown.ts";
import { createStackLog, stackLogFile } from "./stackLog.ts";
import { parseStartOptions, START_USAGE } from "./startOptions.ts";

const options = optionsOrExit("oncegate", START_USAGE, () => parseStartOptions(process.argv.slice(2), process.env));
if (options.help) {
  process.stdout.write(`${START_USAGE}\n`);
  process.exit(0);
}

const logFile = stackLogFile(options.dataDir);
const log = createStackLog({ logFile, clock: systemClock });
let dynamoDb: ChildProcess | undefined;
let stack: LocalStack | undefined;

// The last exit path: whatever happened, the DynamoDB Local JVM must not outlive us (it would hold its files).
process.on("exit", () => {
  if (dynamoDb !== undefined && dynamoDb.exitCode === null && dynamoDb.signalCode === null) {
    dynamoDb.kill("SIGKILL");
    forgetDynamoDbPid(options.dataDir);
  }
});

stopOnSignals({
  stopper: () => {
    const running = stack;
    return running === undefined ? undefined : () => running.stop().then(() => log.close());
  },
  progress: log.progress,
  problem: log.problem,
  stoppedLine: "oncegate: stopped",
});

try {
  stack = await startLocalStack({
    port: options.port,
    dataDir: options.dataDir,
    inMemory: options.inMemory,
    ...(options.configFile !== undefined && { configFile: options.configFile }),
    env: process.env,
    log,
    onDynamoDbSpawn: (child) => {
      dynamoDb = child;
    },
  });
} catch (error) {
  log.problem(startFailure(error));
  process.exit(1);
}
const context = { dataDir: options.dataDir, inMemory: options.inMemory, logFile, env: process.env };
process.stdout.write(`${readyMessage(stack, context).join("\n")}\n`);

/** One line, no stack trace, for the failures a user can fix. */
function startFailure(error: unknown): string {
  if (error instanceof PortInUseError || error instanceof JavaMissingError || error instanceof DataDirInUseError) {
    return error.message;
  }
  if (error instanceof InvalidConfigurationError) return `invalid configuration: ${error.message}`;
  return `could not start: ${(error as Error).stack ?? String(error)}`;
}
