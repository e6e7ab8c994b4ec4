import { describeRequests } from "../requestCounter.ts";
import type { SdkScenarioResult } from "../sdkBenchmark.ts";
import { ms, perUnit, printTable, ratio } from "../table.ts";

/** Prints the latency and the requests tables of `bench:sdk`. */
export function printSdkTables(results: readonly SdkScenarioResult[], sizes: { n: number; rounds: number }): void {
  printTable({
    title: `SDK latency per invocation (ms; ${sizes.n} invocations per contender per scenario, ${sizes.rounds} interleaved rounds)`,
    columns: [
      "scenario",
      "ours p50 / p99",
      "Powertools p50 / p99",
      "floor p50 / p99",
      "ours/Powertools p50",
      "ours/floor p50",
      "ours/Powertools p99",
      "ours/floor p99",
    ],
    rows: results.map(({ scenario, contenders: c, ratios: r }) => [
      scenario,
      `${ms(c.ours.latency.p50)} / ${ms(c.ours.latency.p99)}`,
      `${ms(c.powertools.latency.p50)} / ${ms(c.powertools.latency.p99)}`,
      `${ms(c.floor.latency.p50)} / ${ms(c.floor.latency.p99)}`,
      ratio(r.oursOverPowertoolsP50),
      ratio(r.oursOverFloorP50),
      ratio(r.oursOverPowertoolsP99),
      ratio(r.oursOverFloorP99),
    ]),
    notes: [
      "p50 ratios: median of the per-round ratios (rounds interleave the contenders); p99 ratios: pooled samples.",
      "Targets: ours/floor ≤ 1.10× and ours/Powertools ≤ 1.00× at p50, sequential and concurrent.",
    ],
  });
  printTable({
    title: "SDK DynamoDB requests per invocation (counted with an AWS SDK middleware)",
    columns: ["scenario", "ours", "Powertools", "floor", "ours inv/s", "Powertools inv/s", "floor inv/s"],
    rows: results.map(({ scenario, contenders: c }) => [
      scenario,
      `${perUnit(c.ours.requests.total)} (${describeRequests(c.ours.requests)})`,
      `${perUnit(c.powertools.requests.total)} (${describeRequests(c.powertools.requests)})`,
      `${perUnit(c.floor.requests.total)} (${describeRequests(c.floor.requests)})`,
      Math.round(c.ours.throughputPerSec),
      Math.round(c.powertools.throughputPerSec),
      Math.round(c.floor.throughputPerSec),
    ]),
    notes: ["Target: 2 for a first-time key, 1 for a duplicate. inv/s: invocations per second (median over rounds)."],
  });
}
