import type { IntakeBenchData } from "../intakeBenchmark.ts";
import { describeRequests } from "../requestCounter.ts";
import { ms, perUnit, printTable, ratio } from "../table.ts";
import type { AttemptCost } from "./deliveryPass.ts";

/** Prints the latency, requests, capacity and delivery tables of `bench:intake`. */
export function printIntakeTables(input: IntakeBenchData, sizes: { n: number; rounds: number }): void {
  const { scenarios, capacity, delivery } = input;
  printTable({
    title: `Intake latency per request (ms; ${sizes.n} requests per contender per scenario, ${sizes.rounds} interleaved rounds, ${capacity.bodyBytes}-byte Stripe events)`,
    columns: [
      "scenario",
      "intake p50 / p99",
      "floor p50 / p99",
      "intake/floor p50",
      "intake/floor p99",
      "intake req/s",
      "floor req/s",
    ],
    rows: scenarios.map(({ scenario, contenders: c, ratios: r }) => [
      scenario,
      `${ms(c.intake.latency.p50)} / ${ms(c.intake.latency.p99)}`,
      `${ms(c.floor.latency.p50)} / ${ms(c.floor.latency.p99)}`,
      ratio(r.intakeOverFloorP50),
      ratio(r.intakeOverFloorP99),
      Math.round(c.intake.throughputPerSec),
      Math.round(c.floor.throughputPerSec),
    ]),
    notes: ["Target: intake/floor ≤ 1.15× at p50. p50 ratio: median of per-round ratios; req/s: median over rounds."],
  });
  printTable({
    title: "Intake AWS requests per webhook (DynamoDB + SQS, counted with an AWS SDK middleware)",
    columns: ["scenario", "intake", "floor"],
    rows: scenarios.map(({ scenario, contenders: c }) => [
      scenario,
      `${perUnit(c.intake.requests.total)} (${describeRequests(c.intake.requests)})`,
      `${perUnit(c.floor.requests.total)} (${describeRequests(c.floor.requests)})`,
    ]),
    notes: ["Target: ≤ 4 per accepted event, 1 per duplicate."],
  });
  const units = (tally: { tableWriteUnits: number; indexWriteUnits: number }) =>
    `${perUnit(tally.tableWriteUnits)} table + ${perUnit(tally.indexWriteUnits)} index`;
  printTable({
    title: `DynamoDB write units per webhook (untimed pass, ${capacity.events} events, consumed capacity reported by DynamoDB Local)`,
    columns: ["", "intake", "floor"],
    rows: [
      [
        `stored state item (${capacity.bodyBytes}-byte body in its own item)`,
        `${capacity.intake.itemBytes} bytes`,
        `${capacity.floor.itemBytes} bytes`,
      ],
      ["accepted event: WRU", units(capacity.intake.perAccepted), units(capacity.floor.perAccepted)],
      [
        "duplicate: refused conditional writes",
        perUnit(capacity.intake.perDuplicate.refusedWrites),
        perUnit(capacity.floor.perDuplicate.refusedWrites),
      ],
    ],
    notes: [
      "A refused conditional write reports no capacity but is billed as a write of the state item's size (cost model).",
      `The intake's JSON log line: ${Math.round(capacity.intake.logBytesPerAccepted)} bytes per accepted event, ${Math.round(capacity.intake.logBytesPerDuplicate)} per duplicate.`,
    ],
  });
  const row = (label: string, attempt: AttemptCost) => [
    label,
    `${perUnit(attempt.requests.total)} (${describeRequests(attempt.requests)})`,
    units(attempt.capacity),
    perUnit(attempt.capacity.readUnits),
    ms(attempt.handlerMsP50),
  ];
  printTable({
    title: `Delivery Lambda per attempt (untimed pass, ${delivery.deliveredAttempt.attempts} jobs, consumer stubbed)`,
    columns: ["attempt", "AWS requests", "WRU", "RRU", "handler p50 (ms)"],
    rows: [
      row("consumer answers 503 (retry)", delivery.retriedAttempt),
      row("consumer answers 200 (delivered)", delivery.deliveredAttempt),
    ],
    notes: [
      "Requests of the handler only: the SQS event source's ReceiveMessage and DeleteMessageBatch are modelled in bench:cost.",
      `The state item after both attempts: ${delivery.itemBytesAfter} bytes (the retry's attempt is an item of its own; the delivering one is recorded in the state).`,
    ],
  });
}
