import { describeRequests } from "../requestCounter.ts";
import type { SdkScenarioResult } from "../sdkBenchmark.ts";
import { ms, perUnit, printTable, ratio } from "../table.ts";
import { ADAPTERS } from "./adapterComparisons.ts";

/** Prints the latency, requests and adapters tables of `bench:sdk`. */
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
  printAdaptersTable(results);
}

/** Each way to use the SDK, against its floor and the Middy middleware, per scenario. */
function printAdaptersTable(results: readonly SdkScenarioResult[]): void {
  const signedMs = (value: number) => `${value >= 0 ? "+" : ""}${ms(value)}`;
  printTable({
    title: "SDK adapters against their floors and the Middy middleware (ms; the same DynamoDB Local and rounds)",
    columns: [
      "scenario",
      "adapter",
      "called",
      "p50 / p99",
      "its floor p50 / p99",
      "adapter/floor p50",
      "adapter/Middy p50",
      "SDK's own cost p50",
      "HTTP hop p50",
      "requests",
      "inv/s",
    ],
    rows: results.flatMap(({ scenario, contenders: c, adapters }) =>
      ADAPTERS.map(({ adapter, label, transport, floor }) => {
        const compared = adapters.find((entry) => entry.adapter === adapter);
        return [
          scenario,
          label,
          transport,
          `${ms(c[adapter].latency.p50)} / ${ms(c[adapter].latency.p99)}`,
          `${ms(c[floor].latency.p50)} / ${ms(c[floor].latency.p99)}`,
          ratio(compared?.overFloorP50 ?? Number.NaN),
          ratio(compared?.overMiddyP50 ?? Number.NaN),
          signedMs(compared?.sdkCostMsP50 ?? Number.NaN),
          transport === "HTTP" ? signedMs(compared?.httpHopMsP50 ?? Number.NaN) : "–",
          `${perUnit(c[adapter].requests.total)} (${describeRequests(c[adapter].requests)})`,
          Math.round(c[adapter].throughputPerSec),
        ];
      }),
    ),
    notes: [
      "All ten contenders run in the same interleaved rounds as the tables above (each server adapter beside its floor).",
      "Floors: in-process, the raw PutItem + UpdateItem around the handler (the floor above); HTTP, the same framework, body parser and route around the same raw calls, with no SDK.",
      "SDK's own cost: the adapter's p50 less its floor's. HTTP hop: the framework floor's p50 less the in-process floor's, i.e. one loopback request on a kept-alive connection through the framework, the node:http client included.",
      "Servers listen on 127.0.0.1 in the benchmark's own process. Ratios: median of per-round ratios; costs in ms: pooled p50s.",
    ],
  });
}
