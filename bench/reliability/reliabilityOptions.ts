import { readBenchOptions } from "../cliOptions.ts";
import { SCENARIO_GROUPS, type ScenarioGroup } from "./scenarioMatrix.ts";

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
  /** AWS faults at random: events (each sent twice), and the share of AWS call attempts faulted, in percent. */
  awsFaultEvents: 1000,
  awsFaultPercent: 5,
  /** Store outage during delivery: events between attempts, seconds DynamoDB Local is stopped. */
  storeOutageEvents: 200,
  storeOutageSeconds: 180,
  /** GitHub fan-out: delivery GUIDs, each sent by three hooks. */
  fanOutGuids: 20,
  /** Destination isolation: events per phase to two destinations, seconds A is down (then slow), events sent paused. */
  isolationEvents: 200,
  isolationOutageSeconds: 60,
  pauseEvents: 500,
  /** Seed of every random choice (kill moments, hostile requests). */
  seed: 1,
  /**
   * Scenario groups run side by side (each on its own stacks), longest first. 3 lanes for the 6 groups: a default
   * run lasts about as long as its longest group. `--quick` uses 2: on a 2-CPU machine a third lane makes its rows
   * CPU-bound (stack starts are JVM starts) and saved 13 s of 183 (measured 2026-12-02).
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
  awsFaultEvents: 60,
  awsFaultPercent: 5,
  storeOutageEvents: 30,
  storeOutageSeconds: 8,
  fanOutGuids: 5,
  // 0: not in --quick yet. On a loaded machine a healthy A's 200 can reach the gateway after its 1 s timeout, the
  // gateway redelivers, and the row counts the second 200 as a repeated effect: run it with --only destinations.
  isolationEvents: 0,
  isolationOutageSeconds: 4,
  pauseEvents: 40,
  seed: 1,
  lanes: 2,
};

/**
 * `--quick`, `--results-dir`, `--<size> <n>` for any size (e.g. `--seed 42`, `--rounds 5`), and `--only <groups>`
 * (comma-separated `SCENARIO_GROUPS`, e.g. `--only store-outage,aws-faults`) to run some rows alone.
 */
export function readReliabilityOptions(argv: string[] = process.argv.slice(2)) {
  const index = argv.indexOf("--only");
  const only = index < 0 ? undefined : (argv[index + 1] ?? "").split(",").filter(Boolean);
  const rest = index < 0 ? argv : [...argv.slice(0, index), ...argv.slice(index + 2)];
  const unknown = (only ?? []).filter((name) => !(SCENARIO_GROUPS as readonly string[]).includes(name));
  if (only !== undefined && (only.length === 0 || unknown.length > 0)) {
    throw new Error(
      `--only takes a comma-separated list of ${SCENARIO_GROUPS.join(", ")}; got "${argv[index + 1] ?? ""}"`,
    );
  }
  return { ...readBenchOptions(DEFAULT_SIZES, QUICK_SIZES, rest), only: only as ScenarioGroup[] | undefined };
}
