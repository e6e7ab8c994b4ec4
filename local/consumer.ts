/**
 * `npm run consumer -- --dynamodb <endpoint> [--framework express]`: the demo consumer alone, in its own process (see
 * `standaloneConsumer.ts`), so that it can be stopped or killed while the stack runs on. Prints one line
 * `oncegate consumer: ready <URL>`, then one activity line per delivery; SIGINT, SIGTERM or SIGHUP stop it, and an
 * armed consumer crash point kills it (SIGKILL) once per data directory.
 */
import { systemClock } from "../lambdas/shared/clock.ts";
import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import { optionsOrExit } from "./cliUsage.ts";
import { CONSUMER_USAGE, parseConsumerOptions, SERVED_BY } from "./consumerOptions.ts";
import { consumerCrashPoint, crashAlreadyFired, crashNotice, crashSwitch } from "./crashPoints.ts";
import { PortInUseError } from "./httpFront.ts";
import { stopOnSignals } from "./signalShutdown.ts";
import { createStackLog } from "./stackLog.ts";
import { DemoTablesUnavailableError, type StandaloneConsumer, startStandaloneConsumer } from "./standaloneConsumer.ts";

const COMMAND = "oncegate consumer";
const options = optionsOrExit(COMMAND, CONSUMER_USAGE, () => parseConsumerOptions(process.argv.slice(2), process.env));
if (options.help) {
  process.stdout.write(`${CONSUMER_USAGE}\n`);
  process.exit(0);
}

const problem = (message: string) => process.stderr.write(`${COMMAND}: ${message}\n`);
// No log file: the activity lines on stdout are the consumer's whole story (the stack keeps the gateway's).
const log = createStackLog({ clock: systemClock });
let consumer: StandaloneConsumer | undefined;
stopOnSignals({
  stopper: () => consumer?.stop,
  progress: (message) => process.stdout.write(`${COMMAND}: ${message}\n`),
  problem,
  stoppedLine: `${COMMAND}: stopped`,
});

try {
  const armed = consumerCrashPoint(process.env);
  if (armed !== undefined)
    process.stdout.write(`${COMMAND}: ${crashNotice(armed, crashAlreadyFired(options.dataDir, armed))}\n`);
  process.stdout.write(`${COMMAND}: serving with ${SERVED_BY[options.framework]}\n`);
  consumer = await startStandaloneConsumer({
    port: options.port,
    dynamoDbEndpoint: options.dynamoDbEndpoint,
    framework: options.framework,
    env: process.env,
    crashAt: crashSwitch(armed, options.dataDir),
    logger: log.lambda("consumer"),
    onError: (error) => problem(`request failed: ${(error as Error).stack ?? String(error)}`),
  });
} catch (error) {
  const known =
    error instanceof PortInUseError ||
    error instanceof DemoTablesUnavailableError ||
    error instanceof InvalidConfigurationError;
  problem(known ? (error as Error).message : `could not start: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
}
process.stdout.write(`${COMMAND}: ready ${consumer.url}\n`);
