/**
 * `npm run bench:sdk`: our idempotency middleware vs Powertools' vs the floor (the same DynamoDB calls, raw), and
 * each other way to use the SDK (makeIdempotent in-process; the Express, Fastify and Web adapters over HTTP on
 * localhost, each beside the same framework route without the SDK), on one DynamoDB Local, the same trivial
 * handler, in interleaved rounds. Prints the tables and writes bench/results/sdk.json (and, for a full run, the
 * section of docs/performance.md). Options: --n (invocations per contender per scenario), --warmup, --rounds,
 * --quick, --results-dir.
 */
import { startDynamoDbLocal } from "../local/dynamoDbLocal.ts";
import { invariant, runBench } from "./benchRun.ts";
import { readBenchOptions } from "./cliOptions.ts";
import type { ContenderResult } from "./contenderResult.ts";
import { type Contender, planRounds, runInterleaved } from "./interleavedRounds.ts";
import { measureScenario } from "./measureScenario.ts";
import { writeResult } from "./results.ts";
import { type AdapterComparison, compareAdapters } from "./sdk/adapterComparisons.ts";
import {
  buildConsumers,
  type ConsumerName,
  type ConsumerUnderTest,
  duplicateKeys,
  firstTimeKeys,
} from "./sdk/consumerContenders.ts";
import { printSdkTables } from "./sdk/sdkTables.ts";

const { sizes, resultsDir, quick } = readBenchOptions(
  { n: 2000, warmup: 300, rounds: 20 },
  { n: 20, warmup: 6, rounds: 2 },
);
const CONCURRENCY = 16;

/** One scenario's outcome, as written to the results file. */
export interface SdkScenarioResult {
  scenario: string;
  concurrency: number;
  contenders: Record<ConsumerName, ContenderResult>;
  /** Interleaved ratios: p50 as the median of per-round ratios, p99 from the pooled samples. */
  ratios: {
    oursOverPowertoolsP50: number;
    oursOverFloorP50: number;
    oursOverPowertoolsP99: number;
    oursOverFloorP99: number;
  };
  /** Each way to use the SDK against its floor and against the Middy middleware (`ours`). */
  adapters: AdapterComparison[];
}

type Build = (consumer: ConsumerUnderTest) => Contender<unknown>;

const SCENARIOS: { scenario: string; concurrency: number; build: Build }[] = [
  { scenario: "first-time key, sequential", concurrency: 1, build: firstTimeKeys as Build },
  { scenario: `first-time key, concurrency ${CONCURRENCY}`, concurrency: CONCURRENCY, build: firstTimeKeys as Build },
  { scenario: "duplicate (COMPLETED replay), sequential", concurrency: 1, build: duplicateKeys as Build },
];

await runBench(async (run) => {
  const ddb = await startDynamoDbLocal();
  run.defer(() => ddb.stop());
  const consumers = await buildConsumers(ddb.endpoint, CONCURRENCY);
  run.defer(async () => {
    for (const consumer of consumers) {
      await consumer.close();
      consumer.client.destroy();
    }
  });

  // Warm-up: both paths, JIT and connection pools on our side, and DynamoDB Local's JVM on the other.
  let firstTimeInvocations = 0;
  for (const build of [firstTimeKeys as Build, duplicateKeys as Build]) {
    const plan = planRounds(sizes.warmup, 2, 1);
    await runInterleaved(consumers.map(build), plan);
    if (build === (firstTimeKeys as Build)) firstTimeInvocations += plan.rounds * plan.perRound;
  }
  for (const consumer of consumers) consumer.counter.take();

  const results: SdkScenarioResult[] = [];
  for (const { scenario, concurrency, build } of SCENARIOS) {
    const plan = planRounds(sizes.n, sizes.rounds, concurrency);
    const runsAtStart = consumers.map((consumer) => consumer.handlerRuns());
    const measured = await measureScenario<ConsumerName, unknown>(
      consumers.map((consumer) => ({ contender: build(consumer), takeCalls: () => consumer.counter.take() })),
      plan,
    );
    if (build === (firstTimeKeys as Build)) firstTimeInvocations += plan.rounds * plan.perRound;
    else {
      for (const [index, consumer] of consumers.entries()) {
        const ran = consumer.handlerRuns() - (runsAtStart[index] ?? 0);
        invariant(ran === 0, `${consumer.name}: the handler ran ${ran} times for duplicates`);
      }
    }
    const vsPowertools = measured.ratio("ours", "powertools");
    const vsFloor = measured.ratio("ours", "floor");
    results.push({
      scenario,
      concurrency,
      contenders: measured.results,
      ratios: {
        oursOverPowertoolsP50: vsPowertools.p50,
        oursOverFloorP50: vsFloor.p50,
        oursOverPowertoolsP99: vsPowertools.p99,
        oursOverFloorP99: vsFloor.p99,
      },
      adapters: compareAdapters(measured),
    });
  }

  for (const consumer of consumers) {
    invariant(consumer.wrongAnswers.length === 0, `${consumer.name}: ${consumer.wrongAnswers.slice(0, 3).join("; ")}`);
    // Every first-time key ran the handler exactly once: never twice, never skipped.
    invariant(
      consumer.handlerRuns() === firstTimeInvocations,
      `${consumer.name}: the handler ran ${consumer.handlerRuns()} times for ${firstTimeInvocations} first-time keys`,
    );
  }

  printSdkTables(results, sizes);
  const path = writeResult(resultsDir, "sdk", {
    command: `npm run bench:sdk${quick ? " -- --quick" : ""}`,
    parameters: { ...sizes, concurrency: CONCURRENCY, quick, handlerRunsPerContender: firstTimeInvocations },
    data: { scenarios: results },
  });
  console.log(`results: ${path}`);
});
