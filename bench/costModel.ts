/**
 * `npm run bench:cost`: what a million accepted webhooks cost on AWS, line by line, from the requests the other
 * benchmarks counted (bench/results/intake.json when present, else documented defaults) and the price table
 * bench/prices.json; then how duplicates, delivery retries and body size change it, and the fixed monthly costs.
 * Writes bench/results/cost.json. Options: --results-dir (read and write there), --quick (no effect: no sizes).
 */
import { invariant, runBench } from "./benchRun.ts";
import { readBenchOptions } from "./cliOptions.ts";
import { readCostInputs } from "./cost/costInputs.ts";
import { printCostTables } from "./cost/costTables.ts";
import { FIXED_ASSUMPTIONS, fixedMonthlyCost } from "./cost/fixedMonthlyCost.ts";
import { LAMBDA_SIZING } from "./cost/lambdaSizing.ts";
import { readPrices } from "./cost/prices.ts";
import { type CostScenario, costPerMillion, DEFAULT_ASSUMPTIONS, totalUsd } from "./cost/webhookCost.ts";
import { writeResult } from "./results.ts";

const { resultsDir, quick } = readBenchOptions({}, {});

export const DUPLICATE_RATES = [0, 0.2, 1];
export const RETRIES = [0, 1, 3];
export const BODY_SIZES = [1024, 2048, 8192, 65536];

await runBench(async () => {
  const inputs = readCostInputs(resultsDir);
  const prices = readPrices();
  const base: CostScenario = {
    bodyBytes: inputs.bodyBytes,
    duplicatesPerAccepted: 0,
    retriesPerDelivery: 0,
    destinations: 1,
  };
  const cost = (scenario: Partial<CostScenario>) =>
    costPerMillion(inputs, prices, LAMBDA_SIZING, { ...base, ...scenario });

  // The model must reproduce the capacity DynamoDB Local reported for the pass it measured: a retry, then a delivery.
  if (inputs.measured !== undefined) {
    const lines = cost({ retriesPerDelivery: 1 });
    const units = (component: string) => (lines.find((l) => l.component.startsWith(component))?.quantity ?? 0) / 1e6;
    const checks = [
      ["accepted-event writes", units("intake writes"), inputs.measured.acceptedWriteUnits],
      ["delivery writes", units("delivery writes"), inputs.measured.deliveryWriteUnits],
      ["delivery reads", units("delivery reads"), inputs.measured.deliveryReadUnits],
    ] as const;
    for (const [what, modelled, measured] of checks) {
      invariant(
        Math.abs(modelled - measured) < 1e-9,
        `${what}: the model says ${modelled} units, DynamoDB Local ${measured}`,
      );
    }
  }

  const baseLines = cost({});
  const grid = DUPLICATE_RATES.flatMap((duplicatesPerAccepted) =>
    RETRIES.map((retriesPerDelivery) => ({
      duplicatesPerAccepted,
      retriesPerDelivery,
      totalUsd: totalUsd(cost({ duplicatesPerAccepted, retriesPerDelivery })),
    })),
  );
  const bodySizes = BODY_SIZES.map((bodyBytes) => {
    const lines = cost({ bodyBytes });
    const dynamoDbUsd = totalUsd(lines.filter((l) => l.service === "DynamoDB"));
    const functionUrlUsd = totalUsd(cost({ bodyBytes, edge: "functionUrl" }));
    return { bodyBytes, totalUsd: totalUsd(lines), dynamoDbUsd, functionUrlUsd };
  });
  const fixed = fixedMonthlyCost(prices, LAMBDA_SIZING);

  const data = {
    inputs,
    prices: { asOf: prices.asOf, region: prices.region, source: prices.source },
    sizing: LAMBDA_SIZING,
    assumptions: DEFAULT_ASSUMPTIONS,
    fixedAssumptions: FIXED_ASSUMPTIONS,
    base: { scenario: base, lines: baseLines, totalUsd: totalUsd(baseLines) },
    replayMarkerUsd: totalUsd(cost({ replayWindow: true })) - totalUsd(baseLines),
    grid,
    bodySizes,
    fixedMonthly: { lines: fixed, totalUsd: totalUsd(fixed) },
  };
  printCostTables(data);
  const path = writeResult(resultsDir, "cost", {
    command: `npm run bench:cost${quick ? " -- --quick" : ""}`,
    parameters: { quick, inputs: inputs.source },
    data,
  });
  console.log(`results: ${path}`);
});

export type CostModelData = {
  inputs: ReturnType<typeof readCostInputs>;
  prices: { asOf: string; region: string; source: string };
  sizing: typeof LAMBDA_SIZING;
  base: { scenario: CostScenario; lines: ReturnType<typeof costPerMillion>; totalUsd: number };
  /** What the opt-in replay marker adds to the base scenario's total. */
  replayMarkerUsd: number;
  grid: { duplicatesPerAccepted: number; retriesPerDelivery: number; totalUsd: number }[];
  bodySizes: { bodyBytes: number; totalUsd: number; dynamoDbUsd: number; functionUrlUsd: number }[];
  fixedMonthly: { lines: ReturnType<typeof fixedMonthlyCost>; totalUsd: number };
};
