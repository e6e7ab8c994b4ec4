import { randomBytes } from "node:crypto";
import { stackLogFile } from "../../local/stackLog.ts";
import { removeDataDir, startStack } from "../../local/stackProcess.ts";
import { runAwsFaultsAtRandom } from "./awsFaultsAtRandom.ts";
import { runConsumerKills } from "./consumerKills.ts";
import { runConsumerOutage } from "./consumerOutage.ts";
import { runCrashPoints } from "./crashPointTrials.ts";
import { runDestinationIsolation } from "./destinationIsolation.ts";
import { emptyAccount } from "./eventTotals.ts";
import { runGithubFanOut } from "./githubFanOut.ts";
import { runHostileInput } from "./hostileInput.ts";
import { findLogLeaks, knownSecretsEnvironment } from "./logHygiene.ts";
import { runRandomKills } from "./randomKills.ts";
import type { ReliabilitySizes } from "./reliabilityOptions.ts";
import { runReplayStorm } from "./replayStorm.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { runSlowConsumer } from "./slowConsumer.ts";
import { FAST_TIMINGS } from "./stackTimings.ts";
import { runStoreFaults } from "./storeFaults.ts";
import { runStoreOutageDuringDelivery } from "./storeOutageDuringDelivery.ts";

type Say = (line: string) => void;

/** The groups of scenarios, by the name `--only` selects them with. */
export const SCENARIO_GROUPS = [
  "shared",
  "crash-points",
  "kills",
  "consumer",
  "store-outage",
  "aws-faults",
  "destinations",
] as const;
export type ScenarioGroup = (typeof SCENARIO_GROUPS)[number];

/**
 * The order the groups start in: by how long each took in a quick run and a default run (crash points and the
 * gateway's kills are the longest in both; docs/reliability.md has the times).
 */
const LONGEST_FIRST: readonly ScenarioGroup[] = [
  "crash-points",
  "kills",
  "store-outage",
  "consumer",
  "shared",
  "aws-faults",
  "destinations",
];

/**
 * Runs every scenario (or the groups in `only`) and returns the rows in the matrix's order. The groups use separate
 * stacks, data directories and ports, so with `lanes` > 1 they run side by side (slower each, sooner overall).
 */
export async function runScenarios(
  sizes: ReliabilitySizes,
  say: Say,
  only?: readonly ScenarioGroup[],
): Promise<ScenarioResult[]> {
  const all: Record<ScenarioGroup, () => Promise<ScenarioResult[]>> = {
    shared: () => sharedStackScenarios(sizes, say),
    "crash-points": () => runCrashPoints(sizes.trials, sizes.crashEvents, say),
    kills: async () => [
      await runRandomKills(sizes.rounds, sizes.killEvents, sizes.seed, say),
      await runConsumerOutage(sizes.killEvents, sizes.outageSeconds),
    ],
    // The consumer's kills here, not beside the gateway's: the two longest groups would otherwise share a lane.
    consumer: async () => [
      await runConsumerKills(sizes, say),
      await runSlowConsumer(sizes.slowEvents),
      await runStoreFaults(sizes.faultEvents, sizes.faultSeconds),
    ],
    "store-outage": async () => {
      say(`store outage during delivery (${sizes.storeOutageSeconds} s)…`);
      return [await runStoreOutageDuringDelivery(sizes.storeOutageEvents, sizes.storeOutageSeconds)];
    },
    "aws-faults": async () => {
      say(`AWS faults at random (${sizes.awsFaultPercent} %, ${sizes.awsFaultEvents} events)…`);
      const faults = await runAwsFaultsAtRandom({
        events: sizes.awsFaultEvents,
        ratePercent: sizes.awsFaultPercent,
        seed: sizes.seed,
      });
      return [faults, await runGithubFanOut(sizes.fanOutGuids)];
    },
    // Issue 19's rows: one stack with two destinations, A down, then slow, then paused; B healthy throughout.
    destinations: async () => (sizes.isolationEvents === 0 ? [] : runDestinationIsolation(sizes, say)),
  };
  const groups = SCENARIO_GROUPS.filter((name) => only === undefined || only.includes(name));
  // Started longest first, so that no lane is left with a long group at the end; rows keep the matrix's order.
  const starts = [...groups].sort((a, b) => LONGEST_FIRST.indexOf(a) - LONGEST_FIRST.indexOf(b));
  const rows: ScenarioResult[][] = [];
  let next = 0;
  const lane = async () => {
    while (next < starts.length) {
      const group = starts[next++] as ScenarioGroup;
      const index = groups.indexOf(group);
      rows[index] = await all[group]();
      for (const result of rows[index] ?? [])
        say(
          `  done: ${result.scenario}: lost ${result.lost}, duplicated ${result.duplicated} (${(result.timeMs / 1000).toFixed(1)} s)`,
        );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, sizes.lanes) }, lane));
  return rows.flat();
}

/**
 * The replay storm, the hostile input and the log-hygiene check share one stack started with secrets known only to
 * this run, and a marker in every body: the hygiene check then reads everything the stack wrote during both.
 */
async function sharedStackScenarios(sizes: ReliabilitySizes, say: Say): Promise<ScenarioResult[]> {
  const tag = randomBytes(9).toString("hex");
  const secrets = knownSecretsEnvironment(tag);
  const marker = `payload-marker-${tag}`;
  const signing = { env: secrets, marker };
  say("replay storm…");
  const stack = await startStack({ env: { ...FAST_TIMINGS, ...secrets } }, 60_000);
  try {
    const storm = await runReplayStorm({
      baseUrl: stack.baseUrl,
      logFile: stackLogFile(stack.dataDir),
      ...sizes,
      signing,
    });
    say(`hostile input (${sizes.hostile} requests)…`);
    const hostile = await runHostileInput(stack, sizes.hostile, sizes.seed, signing, stackLogFile(stack.dataDir));
    const startedMs = performance.now();
    const leaks = findLogLeaks(stack, Object.values(secrets), [marker]);
    const hygiene: ScenarioResult = {
      scenario: "log hygiene",
      parameters: "every line of the storm and hostile input above; 5 known secrets, a marker in every body",
      eventsSent: 0,
      requestsSent: 0,
      ...emptyAccount(),
      timeMs: performance.now() - startedMs,
      problems: leaks.map((leak) => `${leak.what} in ${leak.source}`),
      notes: [
        "scanned stdout (after the ready banner, which prints the secrets on purpose), stderr and logs/oncegate.log",
      ],
    };
    return [storm, hostile, hygiene];
  } finally {
    await stack.stop();
    await removeDataDir(stack.dataDir);
  }
}
