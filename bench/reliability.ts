/**
 * `npm run reliability [-- --quick]`: tries hard to make the real local stack (child processes, DynamoDB Local,
 * fauxqs) lose or repeat something, prints one row per scenario, writes `bench/results/reliability.json`, and exits
 * 1 when any event was lost, any effect repeated, or a scenario's own check failed.
 */

import { matrixTable } from "./reliability/matrixTable.ts";
import { readReliabilityOptions } from "./reliability/reliabilityOptions.ts";
import { runScenarios } from "./reliability/scenarioMatrix.ts";
import { scenarioFailed } from "./reliability/scenarioResult.ts";
import { writeResult } from "./results.ts";
import { printTable } from "./table.ts";

const options = readReliabilityOptions();
process.stdout.write(
  `reliability: ${options.quick ? "quick" : "default"} run, seed ${options.sizes.seed} (--seed to change it)\n`,
);
const startedMs = performance.now();
const results = await runScenarios(options.sizes, (line) => process.stdout.write(`${line}\n`), options.only);
const totalMs = performance.now() - startedMs;
printTable(matrixTable(results, totalMs));
const failed = results.filter(scenarioFailed);
// A run of some groups alone must not overwrite the full matrix's figures.
const path = writeResult(options.resultsDir, options.only === undefined ? "reliability" : "reliability-partial", {
  command: `npm run reliability${options.quick ? " -- --quick" : ""} -- --seed ${options.sizes.seed}${options.only === undefined ? "" : ` --only ${options.only.join(",")}`}`,
  parameters: { ...options.sizes, quick: options.quick },
  data: { totalMs, passed: failed.length === 0, scenarios: results },
});
process.stdout.write(`wrote ${path}\n`);
for (const result of failed) {
  process.stdout.write(
    `FAILED ${result.scenario}: lost ${result.lost}, duplicated ${result.duplicated}; ${[...result.problems, ...result.lostExamples].join("; ")}\n`,
  );
}
process.exit(failed.length === 0 ? 0 : 1);
