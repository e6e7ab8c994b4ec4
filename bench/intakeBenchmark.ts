/**
 * `npm run bench:intake`: the intake handler (signature check, conditional put, enqueue, status update) vs its
 * floor (the same PutItem + SendMessageBatch + UpdateItem, raw), on DynamoDB Local and fauxqs in this process,
 * in interleaved rounds. Then two untimed passes: capacity units and item size per event, and what the delivery
 * Lambda spends per attempt. Prints the tables, writes bench/results/intake.json. Options: --n, --warmup,
 * --rounds, --bodyBytes, --capacityEvents, --quick, --results-dir.
 */
import { startFauxqs } from "fauxqs";
import { startDynamoDbLocal } from "../local/dynamoDbLocal.ts";
import { invariant, runBench } from "./benchRun.ts";
import { readBenchOptions } from "./cliOptions.ts";
import type { ContenderResult } from "./contenderResult.ts";
import { type CapacityPassResult, capacityPass } from "./intake/capacityPass.ts";
import { type DeliveryPassResult, deliveryPass } from "./intake/deliveryPass.ts";
import {
  buildIntake,
  firstDeliveries,
  INTAKE_NAMES,
  type IntakeName,
  type IntakeUnderTest,
  intakeSetup,
  retriedDeliveries,
} from "./intake/intakeContenders.ts";
import { printIntakeTables } from "./intake/intakeTables.ts";
import { countEventsByStatus, queuedJobs } from "./intake/storedEvents.ts";
import { type Contender, planRounds, runInterleaved } from "./interleavedRounds.ts";
import { measureScenario } from "./measureScenario.ts";
import { writeResult } from "./results.ts";

const { sizes, resultsDir, quick } = readBenchOptions(
  { n: 2000, warmup: 200, rounds: 20, bodyBytes: 2048, capacityEvents: 50 },
  { n: 20, warmup: 4, rounds: 2, bodyBytes: 2048, capacityEvents: 4 },
);
const CONCURRENCY = 32;

/** One scenario's outcome, as written to the results file. */
export interface IntakeScenarioResult {
  scenario: string;
  kind: "accepted" | "duplicate";
  concurrency: number;
  contenders: Record<IntakeName, ContenderResult>;
  ratios: { intakeOverFloorP50: number; intakeOverFloorP99: number };
}

/** What `bench/results/intake.json` holds under `data`. */
export interface IntakeBenchData {
  scenarios: IntakeScenarioResult[];
  capacity: Omit<CapacityPassResult, "accepted">;
  delivery: DeliveryPassResult;
}

type Build = typeof firstDeliveries;
const SCENARIOS: { scenario: string; kind: "accepted" | "duplicate"; concurrency: number; build: Build }[] = [
  { scenario: "new event, sequential", kind: "accepted", concurrency: 1, build: firstDeliveries },
  {
    scenario: `new event, concurrency ${CONCURRENCY}`,
    kind: "accepted",
    concurrency: CONCURRENCY,
    build: firstDeliveries,
  },
  { scenario: "duplicate (provider retry), sequential", kind: "duplicate", concurrency: 1, build: retriedDeliveries },
];

await runBench(async (run) => {
  const ddb = await startDynamoDbLocal();
  run.defer(() => ddb.stop());
  const fauxqs = await startFauxqs({ port: 0, logger: false });
  run.defer(() => fauxqs.stop());
  const endpoints = { dynamoDb: ddb.endpoint, sqs: fauxqs.address };
  const setup = intakeSetup(sizes.bodyBytes);
  const intakes: IntakeUnderTest[] = [];
  run.defer(() => {
    for (const intake of intakes) {
      intake.ddb.destroy();
      intake.sqs.destroy();
    }
  });
  for (const name of INTAKE_NAMES) intakes.push(await buildIntake(name, setup, endpoints));

  for (const build of [firstDeliveries, retriedDeliveries]) {
    await runInterleaved(
      intakes.map((intake) => build(intake, setup)),
      planRounds(sizes.warmup, 2, 1),
    );
  }
  for (const intake of intakes) {
    intake.ddbCounter.take();
    intake.sqsCounter.take();
  }

  const results: IntakeScenarioResult[] = [];
  for (const { scenario, kind, concurrency, build } of SCENARIOS) {
    const measured = await measureScenario<IntakeName, unknown>(
      intakes.map((intake) => ({
        contender: build(intake, setup) as Contender<unknown>,
        takeCalls: () => [...intake.ddbCounter.take(), ...intake.sqsCounter.take()],
      })),
      planRounds(sizes.n, sizes.rounds, concurrency),
    );
    const vsFloor = measured.ratio("intake", "floor");
    results.push({
      scenario,
      kind,
      concurrency,
      contenders: measured.results,
      ratios: { intakeOverFloorP50: vsFloor.p50, intakeOverFloorP99: vsFloor.p99 },
    });
  }

  // Nothing lost, nothing duplicated: one QUEUED item and one job per accepted event, for both.
  for (const intake of intakes) {
    invariant(intake.wrongAnswers.length === 0, `${intake.name}: ${intake.wrongAnswers.slice(0, 3).join("; ")}`);
    const accepted = intake.acceptedIds.length;
    const byStatus = await countEventsByStatus(ddb.endpoint, intake.eventsTable);
    invariant(
      byStatus.QUEUED === accepted && Object.keys(byStatus).length === 1,
      `${intake.name}: ${accepted} events accepted, stored by status ${JSON.stringify(byStatus)}`,
    );
    const jobs = await queuedJobs(intake.sqs, intake.queueUrl);
    invariant(jobs === accepted, `${intake.name}: ${accepted} events accepted, ${jobs} jobs on the queue`);
  }

  const capacity = await capacityPass(setup, endpoints, sizes.capacityEvents);
  run.defer(() => {
    capacity.accepted.ddb.destroy();
    capacity.accepted.sqs.destroy();
  });
  const delivery = await deliveryPass(capacity.accepted, setup, endpoints);
  const { accepted: _, ...capacityData } = capacity;

  const data: IntakeBenchData = { scenarios: results, capacity: capacityData, delivery };
  printIntakeTables(data, sizes);
  const path = writeResult(resultsDir, "intake", {
    command: `npm run bench:intake${quick ? " -- --quick" : ""}`,
    parameters: { ...sizes, concurrency: CONCURRENCY, quick, destinationsPerEvent: 1, provider: "stripe" },
    data,
  });
  console.log(`results: ${path}`);
});
