import type { StormTally } from "../../local/chaosStorm.ts";
import type { LocalStats } from "../../local/stackStats.ts";
import type { LatencySummary } from "../stats.ts";
import { type Cell, ms, perUnit, type Table } from "../table.ts";

/** What `bench/results/e2e.json` holds under `data`. */
export interface E2eBenchData {
  tally: StormTally;
  /** From the first request sent to the last answer read. */
  stormMs: number;
  acceptedPerSecond: number;
  requestsPerSecond: number;
  /** Per request, client side: all of them, then the first copies (202) and the duplicates (200) apart. */
  intakeLatencyMs: { all: LatencySummary; accepted: LatencySummary; duplicate: LatencySummary };
  /** From the end of the storm until `/stats` showed nothing left to deliver. */
  settleAfterStormMs: number;
  /** Events delivered per second, from the first request to settled. */
  deliveredPerSecond: number;
  acceptToConsumerMs: LatencySummary;
  /** Recorded delivery attempts per sampled event (1 = no retries). */
  attemptsPerEvent: number;
  stats: LocalStats;
}

const int = (value: number) => value.toLocaleString("en-US");
const p50p99 = (summary: LatencySummary) => `${ms(summary.p50)} / ${ms(summary.p99)}`;

/** The run as one table: throughput, latencies, and the final counts that make it count. */
export function e2eTable(data: E2eBenchData, sizes: { events: number; copies: number; concurrency: number }): Table {
  const { tally, stats } = data;
  const rows: Cell[][] = [
    [
      "requests",
      `${int(tally.sent)} (${int(sizes.events)} events × ${sizes.copies}), concurrency ${sizes.concurrency}`,
    ],
    [
      "answers",
      `${int(tally.accepted)} accepted (202), ${int(tally.duplicates)} duplicates (200), ${tally.errors} errors`,
    ],
    ["storm wall time", `${(data.stormMs / 1000).toFixed(1)} s`],
    ["accepted/s", perUnit(data.acceptedPerSecond)],
    ["requests/s", perUnit(data.requestsPerSecond)],
    ["intake latency p50 / p99, all requests (ms)", p50p99(data.intakeLatencyMs.all)],
    ["intake latency p50 / p99, first copies (ms)", p50p99(data.intakeLatencyMs.accepted)],
    ["intake latency p50 / p99, duplicates (ms)", p50p99(data.intakeLatencyMs.duplicate)],
    [
      `accept-to-consumer p50 / p99 (ms, ${int(data.acceptToConsumerMs.count)} events)`,
      p50p99(data.acceptToConsumerMs),
    ],
    ["delivery attempts per event", perUnit(data.attemptsPerEvent)],
    ["delivery settled after the storm", `${(data.settleAfterStormMs / 1000).toFixed(1)} s`],
    ["delivered/s (first request to settled)", perUnit(data.deliveredPerSecond)],
    [
      "final /stats",
      `handlerRuns ${int(stats.handlerRuns)}, charges ${int(stats.charges)}, receipts ${int(stats.receipts)}, delivered ${int(stats.events.delivered)}, dlq ${stats.dlq}`,
    ],
  ];
  return {
    title: "End to end: the local stack under a storm of Stripe events",
    columns: ["measure", "value"],
    rows,
    notes: [
      "Intake latency: per request, client side (fetch to body read), over loopback HTTP to the local stack.",
      "Accept-to-consumer: the event's stored receivedAt to the start of the delivery attempt the consumer acknowledged, read with GET /events/stripe/<id>.",
      "Exactly once: handlerRuns = charges = receipts = events.delivered = events and dlq = 0, or the run fails.",
    ],
  };
}
