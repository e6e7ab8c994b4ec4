/**
 * `npm run bench:cost`: what a million accepted webhooks cost on AWS, line by line. It first measures, against
 * DynamoDB Local and fauxqs (SQS and S3), what the real intake and delivery handlers write and read per event at each
 * body size (`measuredCapacity`: requests, item sizes, consumed capacity), and checks that the model reproduces
 * that capacity; durations and log lines come from bench/results/intake.json when present, else documented
 * defaults; prices from bench/prices.json. Then how duplicates, delivery retries and body size change the bill,
 * and the fixed monthly costs. Writes bench/results/cost.json.
 * Options: --results-dir (read and write there), --quick (fewer events per size), --events <n> per size,
 * --reprice (no DynamoDB Local: price again the capacity recorded in <results-dir>/cost.json, e.g. after a price
 * change; the model must still reproduce it).
 */
import { startFauxqs } from "fauxqs";
import { startDynamoDbLocal } from "../local/dynamoDbLocal.ts";
import { invariant, runBench } from "./benchRun.ts";
import { readBenchOptions } from "./cliOptions.ts";
import { costInputs, readTimings } from "./cost/costInputs.ts";
import { printCostTables } from "./cost/costTables.ts";
import {
  DESTINATION_ASSUMPTIONS,
  destinationMonthlyCost,
  FIXED_ASSUMPTIONS,
  fixedMonthlyCost,
} from "./cost/fixedMonthlyCost.ts";
import { LAMBDA_SIZING } from "./cost/lambdaSizing.ts";
import { measureCapacity, type SizeCapacity } from "./cost/measuredCapacity.ts";
import { readPrices } from "./cost/prices.ts";
import { readmeTargetsTable } from "./cost/readmeTargets.ts";
import { printStorageTargets, type StorageTargetsData, storageTargets } from "./cost/storageTargets.ts";
import {
  CONTROL_READ_UNITS_PER_JOB,
  CONTROL_WRITE_UNITS_PER_FAILURE,
  type CostScenario,
  costPerMillion,
  DEFAULT_ASSUMPTIONS,
  eventUnits,
  MODELLED_REQUESTS,
  type ModelledStep,
  totalUsd,
} from "./cost/webhookCost.ts";
import { GENERATED_PAGES, writeSection } from "./generatedDocs.ts";
import { isPublishedRun, measurementOf, type RecordedMeasurement, readResult, writeResult } from "./results.ts";

const { sizes, resultsDir, quick, flags } = readBenchOptions({ events: 10 }, { events: 2 }, process.argv.slice(2), [
  "reprice",
]);

export const DUPLICATE_RATES = [0, 0.2, 1];
export const RETRIES = [0, 1, 3];
export const BODY_SIZES = [1024, 2048, 8192, 65536, 1048576];
const BASE_BODY_BYTES = 2048;

await runBench(async (run) => {
  // A reprice keeps saying where its capacity was measured: the page's heading names that run, not this machine.
  const recorded = flags.reprice ? recordedCapacity() : undefined;
  const capacity = recorded?.capacity ?? (await measured(run));
  const inputs = costInputs(readTimings(resultsDir), capacity, BASE_BODY_BYTES);
  const prices = readPrices();
  const base: CostScenario = {
    bodyBytes: inputs.bodyBytes,
    duplicatesPerAccepted: 0,
    retriesPerDelivery: 0,
    destinations: 1,
  };
  const cost = (scenario: Partial<CostScenario>) =>
    costPerMillion(inputs, prices, LAMBDA_SIZING, { ...base, ...scenario });

  // The model must reproduce the capacity DynamoDB Local reported, at every size: for an accepted event, a
  // first-try delivery, and a retry followed by a delivery. And it must price the requests the code made.
  for (const size of capacity) checkModel(size);

  const unitsPerEvent = capacity.map((size) => {
    const units = eventUnits(size.items, 0, DEFAULT_ASSUMPTIONS);
    return {
      bodyBytes: size.bodyBytes,
      placement: size.items.placement ?? "inline",
      storedBodyBytes: size.items.storedBody,
      stateBytes: size.items.deliveredState,
      writeUnits: units.intakeWrites + units.deliveryWrites,
      readUnits: units.deliveryReads,
    };
  });

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
  const destination = destinationMonthlyCost(prices);
  const targets = storageTargets(cost, unitsPerEvent);

  const data = {
    inputs,
    unitsPerEvent,
    prices: { asOf: prices.asOf, region: prices.region, source: prices.source },
    sizing: LAMBDA_SIZING,
    assumptions: DEFAULT_ASSUMPTIONS,
    fixedAssumptions: FIXED_ASSUMPTIONS,
    base: { scenario: base, lines: baseLines, totalUsd: totalUsd(baseLines) },
    replayMarkerUsd: totalUsd(cost({ replayWindow: true })) - totalUsd(baseLines),
    grid,
    bodySizes,
    fixedMonthly: { lines: fixed, totalUsd: totalUsd(fixed) },
    destinationMonthly: {
      assumptions: DESTINATION_ASSUMPTIONS,
      shared: { lines: destination.shared, totalUsd: totalUsd(destination.shared) },
      ownQueue: { lines: destination.ownQueue, totalUsd: totalUsd(destination.ownQueue) },
    },
    targets,
  };
  printStorageTargets(targets);
  printCostTables(data);
  const path = writeResult(resultsDir, "cost", {
    command: `npm run bench:cost${quick ? " -- --quick" : ""}`,
    parameters: {
      quick,
      events: sizes.events,
      reprice: flags.reprice,
      inputs: inputs.source,
      ...(recorded !== undefined && { measured: recorded.measured }),
    },
    data,
  });
  // The README's short table, from the same run, only when the run published its docs section.
  if (isPublishedRun(resultsDir, { quick }))
    writeSection(GENERATED_PAGES.readme, "cost-targets", readmeTargetsTable(targets));
  console.log(`results: ${path}`);
});

/** Measures every body size on DynamoDB Local and fauxqs, started for this run (untimed). */
async function measured(run: { defer(cleanup: () => unknown): void }): Promise<SizeCapacity[]> {
  const ddb = await startDynamoDbLocal();
  run.defer(() => ddb.stop());
  const fauxqs = await startFauxqs({ port: 0, logger: false });
  run.defer(() => fauxqs.stop());
  return measureCapacity({ dynamoDb: ddb.endpoint, sqs: fauxqs.address }, BODY_SIZES, sizes.events);
}

/** The capacity a previous run recorded in `<resultsDir>/cost.json` (`--reprice`). */
function recordedCapacity(): { capacity: SizeCapacity[]; measured: RecordedMeasurement } {
  const recorded = readResult<CostModelData>(resultsDir, "cost");
  invariant(recorded !== undefined, `--reprice needs ${resultsDir}/cost.json from an earlier run`);
  return { capacity: recorded.data.inputs.capacity, measured: measurementOf(recorded) };
}

/** Throws InvariantError when the model's units or requests differ from what was measured at this size. */
function checkModel(size: SizeCapacity): void {
  const at = `${size.bodyBytes}-byte bodies`;
  const writes = (step: { capacity: { tableWriteUnits: number; indexWriteUnits: number } }) =>
    step.capacity.tableWriteUnits + step.capacity.indexWriteUnits;
  const firstTry = eventUnits(size.items, 0, DEFAULT_ASSUMPTIONS);
  const retried = eventUnits(size.items, 1, DEFAULT_ASSUMPTIONS);
  const checks = [
    ["accepted-event writes", firstTry.intakeWrites, writes(size.accepted)],
    ["first-try delivery writes", firstTry.deliveryWrites, writes(size.firstTry)],
    ["first-try delivery reads", firstTry.deliveryReads, size.firstTry.capacity.readUnits],
    ["retried delivery writes", retried.deliveryWrites, writes(size.retried) + writes(size.deliveredAfterRetry)],
    [
      "retried delivery reads",
      retried.deliveryReads,
      size.retried.capacity.readUnits + size.deliveredAfterRetry.capacity.readUnits,
    ],
  ] as const;
  // The destination's control item, apart from the event's units: read at most once a second per container (so at
  // most half a unit per job: what the bill prices), written only by a failed attempt (one unit: the retried step).
  // A run recorded before the control items were tallied apart (`--reprice` of it) has no such units to check.
  const controlReads = size.firstTry.capacity.controlReadUnits;
  const controlWrites = size.retried.capacity.controlWriteUnits;
  if (controlReads !== undefined && controlWrites !== undefined) {
    invariant(
      controlReads <= CONTROL_READ_UNITS_PER_JOB + 1e-9,
      `control reads at ${at}: ${controlReads} units per job`,
    );
    invariant(
      Math.abs(controlWrites - CONTROL_WRITE_UNITS_PER_FAILURE) < 1e-9,
      `control writes at ${at}: ${controlWrites} units per failed attempt, the model says ${CONTROL_WRITE_UNITS_PER_FAILURE}`,
    );
  }
  for (const [what, modelled, reported] of checks) {
    invariant(
      Math.abs(modelled - reported) < 1e-9,
      `${what} at ${at}: the model says ${modelled} units, DynamoDB Local ${reported}`,
    );
  }
  // The sweeper's walk, priced as measured: each event's state in a BatchGetItem (eventually consistent, half a unit
  // per started 4 KB, exactly), plus its entry's share of the listing index's Query pages: at most half a unit per
  // page (a page of keys-only entries under 4 KB), less the same Queries of an empty window.
  const stateReads = 0.5 * Math.ceil(size.items.deliveredState / 4096);
  const pageShare = 0.5 * (size.swept.requests.byApi.Query ?? 0);
  const beyondStates = size.swept.capacity.readUnits - stateReads;
  invariant(
    beyondStates >= 0 && beyondStates <= pageShare + 1e-9,
    `sweeper reads at ${at}: ${size.swept.capacity.readUnits} units per event, not ${stateReads} for the state and at most ${pageShare} for the index pages`,
  );
  const requests = MODELLED_REQUESTS[size.items.placement === "s3" ? "s3" : "inline"];
  for (const step of Object.keys(requests) as ModelledStep[]) {
    const counted = JSON.stringify(sortedKeys(size[step].requests.byApi));
    const modelled = JSON.stringify(sortedKeys(requests[step]));
    invariant(
      counted === modelled,
      `${step} requests at ${at}: the model prices ${modelled}, the code made ${counted}`,
    );
  }
}

function sortedKeys(record: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

export type CostModelData = {
  inputs: ReturnType<typeof costInputs>;
  /** DynamoDB units of one event, 1 destination, first-try delivery, at each body size (the model's, as checked). */
  unitsPerEvent: {
    bodyBytes: number;
    placement: "inline" | "s3";
    storedBodyBytes: number;
    stateBytes: number;
    writeUnits: number;
    readUnits: number;
  }[];
  prices: { asOf: string; region: string; source: string };
  sizing: typeof LAMBDA_SIZING;
  base: { scenario: CostScenario; lines: ReturnType<typeof costPerMillion>; totalUsd: number };
  /** What the opt-in replay marker adds to the base scenario's total. */
  replayMarkerUsd: number;
  grid: { duplicatesPerAccepted: number; retriesPerDelivery: number; totalUsd: number }[];
  bodySizes: { bodyBytes: number; totalUsd: number; dynamoDbUsd: number; functionUrlUsd: number }[];
  fixedMonthly: { lines: ReturnType<typeof fixedMonthlyCost>; totalUsd: number };
  destinationMonthly: {
    assumptions: typeof DESTINATION_ASSUMPTIONS;
    shared: { lines: ReturnType<typeof fixedMonthlyCost>; totalUsd: number };
    ownQueue: { lines: ReturnType<typeof fixedMonthlyCost>; totalUsd: number };
  };
  /** Issue 15's targets table, filled from this run. */
  targets: StorageTargetsData;
};
