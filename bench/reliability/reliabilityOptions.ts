import { readBenchOptions } from "../cliOptions.ts";

/** The sizes of a default run (the figures) and of `--quick` (the run inside `npm test`). */
export const DEFAULT_SIZES = {
  /** Replay storm: distinct events, copies of each, requests in flight. */
  events: 1000,
  duplicates: 20,
  concurrency: 64,
  /** Crash points: trials of each point, events per trial. */
  trials: 5,
  crashEvents: 10,
  /** Kill at random: rounds, events per round. */
  rounds: 20,
  killEvents: 40,
  /** Kill at random, the consumer alone: rounds on one stack (each with `killEvents` events). */
  consumerRounds: 20,
  /** Consumer outage: seconds the destination refuses connections. */
  outageSeconds: 30,
  /** Slow consumer: events, each slower to handle than the delivery timeout. */
  slowEvents: 40,
  /** Store faults: events streamed around the fault, seconds DynamoDB Local is stopped. */
  faultEvents: 200,
  faultSeconds: 10,
  /** Hostile input: generated requests. */
  hostile: 10_000,
  /** Seed of every random choice (kill moments, hostile requests). */
  seed: 1,
  /**
   * Scenario groups run side by side (each on its own stacks). 3 lanes for the 4 groups: the short group (slow
   * consumer, store faults) starts when the first lane is free, so a default run lasts about as long as its longest
   * group. 2 keeps `--quick` under two minutes.
   */
  lanes: 3,
};

export type ReliabilitySizes = typeof DEFAULT_SIZES;

const QUICK_SIZES: ReliabilitySizes = {
  events: 50,
  duplicates: 5,
  concurrency: 64,
  trials: 1,
  crashEvents: 4,
  rounds: 2,
  killEvents: 20,
  consumerRounds: 2,
  outageSeconds: 5,
  slowEvents: 10,
  faultEvents: 60,
  faultSeconds: 8,
  hostile: 500,
  seed: 1,
  lanes: 2,
};

/** `--quick`, `--results-dir`, and `--<size> <n>` for any size (e.g. `--seed 42`, `--rounds 5`). */
export function readReliabilityOptions(argv: string[] = process.argv.slice(2)) {
  return readBenchOptions(DEFAULT_SIZES, QUICK_SIZES, argv);
}
