/**
 * `npm run bench:e2e`: the local stack (`local/start.ts --in-memory`, a child process) under a storm of signed
 * Stripe events, each sent several times: accepted/s, intake latency per request, accept-to-consumer latency, and
 * the final `/stats`, which must show every event delivered to the handler exactly once (else it exits non-zero).
 * Prints a table, writes bench/results/e2e.json. Options: --events, --copies, --concurrency, --sample (events whose
 * delivery is read back for accept-to-consumer), --quick, --results-dir.
 */
import { fireStorm, type StormAnswer } from "../local/chaosStorm.ts";
import { chaosWebhook } from "../local/chaosWebhooks.ts";
import { waitUntilSettled } from "../local/stackClient.ts";
import { removeDataDir, startStack } from "../local/stackProcess.ts";
import { InvariantError, runBench } from "./benchRun.ts";
import { readBenchOptions } from "./cliOptions.ts";
import { readAcceptToConsumer } from "./e2e/acceptToConsumer.ts";
import { e2eProblems } from "./e2e/e2eChecks.ts";
import { type E2eBenchData, e2eTable } from "./e2e/e2eTable.ts";
import { writeResult } from "./results.ts";
import { summarize } from "./stats.ts";
import { printTable } from "./table.ts";

const { sizes, resultsDir, quick } = readBenchOptions(
  { events: 5000, copies: 3, concurrency: 64, sample: 1000 },
  { events: 20, copies: 3, concurrency: 8, sample: 20 },
);
// Reading events back is not what is measured: a few at a time keeps it from competing with delivery.
const READ_CONCURRENCY = 8;
// Generous: at a few hundred events per second the default storm settles within a minute of its end.
const SETTLE_TIMEOUT_MS = 300_000;
// A local retry waits seconds: this long with no number moving means delivery is stuck, not slow.
const STILL_MS = 30_000;

await runBench(async (run) => {
  const stack = await startStack({ args: ["--in-memory"] }, 60_000);
  run.defer(() => removeDataDir(stack.dataDir));
  run.defer(() => stack.stop());

  const eventIds = Array.from({ length: sizes.events }, (_, index) => `evt_e2e_${index + 1}`);
  // Signed just before sending: Stripe signatures carry a timestamp the intake checks (5 minutes of tolerance).
  const context = { env: process.env, baseUrl: stack.baseUrl, nowMs: Date.now() };
  const webhooks = eventIds.map((eventId) => chaosWebhook("stripe", eventId, context));
  const answers: StormAnswer[] = [];
  const stormStartedMs = performance.now();
  const tally = await fireStorm({
    baseUrl: stack.baseUrl,
    webhooks,
    count: sizes.copies,
    concurrency: sizes.concurrency,
    onAnswer: (answer) => answers.push(answer),
  });
  const stormMs = performance.now() - stormStartedMs;

  const settle = await waitUntilSettled(stack.baseUrl, { timeoutMs: SETTLE_TIMEOUT_MS, giveUpWhenStillMs: STILL_MS });
  const settledMs = performance.now() - stormStartedMs;
  const delivery = await readAcceptToConsumer(stack.baseUrl, eventIds, sizes.sample, READ_CONCURRENCY);

  const latencies = (outcome?: string) =>
    summarize(answers.filter((a) => outcome === undefined || a.outcome === outcome).map((a) => a.latencyMs));
  const data: E2eBenchData = {
    tally,
    stormMs,
    acceptedPerSecond: tally.accepted / (stormMs / 1000),
    requestsPerSecond: tally.sent / (stormMs / 1000),
    intakeLatencyMs: { all: latencies(), accepted: latencies("accepted"), duplicate: latencies("duplicate") },
    settleAfterStormMs: settledMs - stormMs,
    deliveredPerSecond: settle.stats.events.delivered / (settledMs / 1000),
    acceptToConsumerMs: summarize(delivery.samplesMs),
    attemptsPerEvent: delivery.read === 0 ? Number.NaN : delivery.attempts / delivery.read,
    stats: settle.stats,
  };
  printTable(e2eTable(data, sizes));

  const problems = [...e2eProblems(sizes, tally, settle.stats, settle.settled), ...delivery.problems.slice(0, 10)];
  if (delivery.problems.length > 10) problems.push(`… and ${delivery.problems.length - 10} more events like these`);
  if (problems.length > 0) {
    console.error(`final /stats: ${JSON.stringify(settle.stats)}`);
    throw new InvariantError(`not every event was delivered exactly once:\n  ${problems.join("\n  ")}`);
  }

  const path = writeResult(resultsDir, "e2e", {
    command: `npm run bench:e2e${quick ? " -- --quick" : ""}`,
    parameters: { ...sizes, quick, provider: "stripe", destinationsPerEvent: 1, stack: "local/start.ts --in-memory" },
    data,
  });
  console.log(`results: ${path}`);
});
