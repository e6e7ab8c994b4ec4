/**
 * `npm run chaos -- <eventId>`: fires correctly signed duplicate deliveries of an event at the local stack, waits
 * for delivery to settle and prints what the intake answered and the final `/stats`. Exits non-zero when the
 * stack is not reachable, stops answering, or a request failed.
 */
import { CHAOS_USAGE, parseChaosOptions } from "./chaosOptions.ts";
import { chaosReport, runChaos } from "./chaosRun.ts";
import { optionsOrExit } from "./cliUsage.ts";
import { StackUnreachableError } from "./stackClient.ts";

const options = optionsOrExit("chaos", CHAOS_USAGE, () => parseChaosOptions(process.argv.slice(2), process.env));

try {
  const result = await runChaos(options, process.env);
  process.stdout.write(`${chaosReport(options, result).join("\n")}\n`);
  process.exit(result.settle === undefined || result.tally.errors > 0 ? 1 : 0);
} catch (error) {
  if (!(error instanceof StackUnreachableError)) throw error;
  process.stderr.write(`chaos: ${error.message}\n`);
  process.exit(1);
}
