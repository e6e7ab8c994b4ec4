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
  /** Consumer outage: seconds the destination refuses connections. */
  outageSeconds: 30,
  /** Hostile input: generated requests. */
  hostile: 10_000,
  /** Seed of every random choice (kill moments, hostile requests). */
  seed: 1,
  /** Scenario groups run side by side (each on its own stacks): 2 keeps `--quick` under two minutes. */
  lanes: 1,
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
  outageSeconds: 5,
  hostile: 500,
  seed: 1,
  lanes: 2,
};

/** `--quick`, `--results-dir`, and `--<size> <n>` for any size (e.g. `--seed 42`, `--rounds 5`). */
export function readReliabilityOptions(argv: string[] = process.argv.slice(2)) {
  return readBenchOptions(DEFAULT_SIZES, QUICK_SIZES, argv);
}
