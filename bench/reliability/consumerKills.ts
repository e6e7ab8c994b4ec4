import { fireStorm } from "../../local/chaosStorm.ts";
import { type ConsumerProcess, consumerUrl, startConsumer } from "../../local/consumerProcess.ts";
import { freePort } from "../../local/freePort.ts";
import { readyDynamoDbEndpoint } from "../../local/readyMessage.ts";
import { randomInt, seededRandom } from "../../local/seededRandom.ts";
import { unsettledProblem, waitUntilSettled } from "../../local/stackClient.ts";
import { removeDataDir, startStack } from "../../local/stackProcess.ts";
import { retryScheduleCovering } from "./consumerOutage.ts";
import { accountFor } from "./eventAccounting.ts";
import { addAccount, emptyAccount } from "./eventTotals.ts";
import type { ReliabilitySizes } from "./reliabilityOptions.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { startScenarioRun } from "./scenarioRun.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";

const COPIES = 3;
/** Kill moments are drawn in this window after the stream starts: the consumer is busy for about that long. */
const KILL_WINDOW_MS = [50, 1500] as const;
/**
 * A consumer restart (Node, the SDK, the table check) takes 0.3 s on an idle machine and up to 1.8 s beside the
 * other scenarios. The schedule this gives (retries 1, 2 and 4 s apart: 7 s in all) outlasts that with room to spare,
 * so an event refused while the consumer is down is delivered after the restart, not dead; a longer one would only
 * make each claim caught by a kill (409 until dead) take longer to settle.
 */
const RESTART_ALLOWANCE_SECONDS = 2;

/**
 * One stack for every round, its only destination the demo consumer in a process of its own (`npm run consumer`).
 * `rounds` times: stream events with duplicates, SIGKILL the consumer alone at a seeded random moment, start it
 * again on the same port (the next round kills that one), settle, account. The gateway must retry what the dead
 * consumer never answered; a claim in flight at the kill ends DEAD with `http_409` (the handler ran at most once):
 * accounted for.
 */
export async function runConsumerKills(
  sizes: Pick<ReliabilitySizes, "consumerRounds" | "killEvents" | "seed">,
  say: (line: string) => void,
): Promise<ScenarioResult> {
  const { consumerRounds: rounds, killEvents: events, seed } = sizes;
  const startedMs = performance.now();
  const random = seededRandom(seed);
  const consumerPort = await freePort();
  const schedule = retryScheduleCovering(RESTART_ALLOWANCE_SECONDS);
  const env = {
    ...FAST_TIMINGS,
    ONCEGATE_RETRY_SCHEDULE: schedule.join(","),
    ONCEGATE_DESTINATIONS: consumerUrl(consumerPort),
  };
  const stack = await startStack({ env }, 60_000);
  const total = emptyAccount();
  const problems: string[] = [];
  const rows: RoundFacts[] = [];
  let requests = 0;
  const running: { consumer?: ConsumerProcess } = {};
  try {
    const dynamoDbEndpoint = readyDynamoDbEndpoint(stack.stdout());
    const restart = () => startConsumer({ dynamoDbEndpoint, port: consumerPort });
    running.consumer = await restart();
    for (let round = 1; round <= rounds; round++) {
      const killAfterMs = randomInt(random, KILL_WINDOW_MS[0], KILL_WINDOW_MS[1]);
      say(`  kill at random: consumer, round ${round}/${rounds}: SIGKILL ${killAfterMs} ms into the stream…`);
      const problem = (text: string) => problems.push(`round ${round}: ${text}`);
      const marker = `consumer-kill-${round}`;
      const result = await killRound({
        baseUrl: stack.baseUrl,
        running,
        restart,
        marker,
        events,
        killAfterMs,
        problem,
      });
      addAccount(total, result.account);
      requests += result.requests;
      rows.push(result.facts);
    }
  } finally {
    const stopped = await running.consumer?.stop();
    if (stopped !== undefined && stopped.code !== 0)
      problems.push(`the last consumer did not stop cleanly on SIGTERM (${JSON.stringify(stopped)})`);
    await stack.stop();
    await removeDataDir(stack.dataDir);
  }
  const list = (pick: (facts: RoundFacts) => number | string) => rows.map(pick).join(", ");
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  return {
    scenario: "kill at random: consumer",
    parameters: `${rounds} rounds × ${events} events × ${COPIES}, seed ${seed}; one stack, retries after ${schedule.join(",")} s`,
    eventsSent: rounds * events,
    requestsSent: requests,
    ...total,
    timeMs: performance.now() - startedMs,
    problems,
    notes: [
      `SIGKILL moments (ms into the stream): ${list((facts) => facts.killAfterMs)}`,
      `deliveries the consumer had answered at each kill: ${list((facts) => facts.answeredBeforeKill)}`,
      `restarts took ${list((facts) => seconds(facts.restartMs))} s; settled ${list((facts) => seconds(facts.settleMs))} s after each`,
    ],
  };
}

interface RoundContext {
  baseUrl: string;
  /** The consumer this round kills; the round puts the restarted one in its place. */
  running: { consumer?: ConsumerProcess };
  restart(): Promise<ConsumerProcess>;
  /** In every event id and body of the round. */
  marker: string;
  events: number;
  killAfterMs: number;
  problem(text: string): void;
}

/** What a round's notes tell about it. */
interface RoundFacts {
  killAfterMs: number;
  /** Deliveries the killed consumer answered in this round before the kill: where in the stream the kill landed. */
  answeredBeforeKill: number;
  restartMs: number;
  settleMs: number;
}

/** Stream, SIGKILL the consumer at `killAfterMs`, restart it on its port, settle, account. */
async function killRound(context: RoundContext) {
  const { baseUrl, running, killAfterMs, problem } = context;
  const killed = running.consumer as ConsumerProcess;
  const { before, webhooks, ledger } = await startScenarioRun(
    baseUrl,
    context.marker,
    context.events,
    performance.now(),
  );
  const answeredEarlier = answeredBy(killed);
  const killer = setTimeout(() => killed.child.kill("SIGKILL"), killAfterMs);
  // Started again the moment it dies, as a supervisor (or Lambda) would, while the stream goes on: the consumer is
  // down for the restart only, not for the rest of the stream.
  const restarted = killed.exited.then(async (exit) => {
    clearTimeout(killer);
    if (exit.signal !== "SIGKILL") problem(`the consumer exited by itself (${JSON.stringify(exit)})`);
    const answeredBeforeKill = answeredBy(killed) - answeredEarlier;
    const restartStartedMs = performance.now();
    running.consumer = await context.restart();
    return { answeredBeforeKill, restartMs: performance.now() - restartStartedMs };
  });
  // The intake does not depend on the consumer: every event gets its 2xx whatever the consumer does.
  await fireStorm({ baseUrl, webhooks, count: COPIES, concurrency: 8, onAnswer: ledger.record });
  const { answeredBeforeKill, restartMs } = await restarted;
  const unanswered = ledger.unanswered().length;
  if (unanswered > 0) problem(`${unanswered} events never got a 2xx from the intake`);
  const settle = await waitUntilSettled(baseUrl, { timeoutMs: SETTLE_TIMEOUT_MS });
  if (!settle.settled) problem(unsettledProblem(settle));
  const account = await accountFor(baseUrl, ledger.accepted(), before, settle.stats);
  if (account.charges !== account.delivered) problem(`${account.charges} charges for ${account.delivered} delivered`);
  const facts = { killAfterMs, answeredBeforeKill, restartMs, settleMs: settle.waitedMs };
  return { account, requests: ledger.requests, facts };
}

/** Deliveries a consumer answered so far: one activity line each. */
function answeredBy(consumer: ConsumerProcess): number {
  return consumer
    .stdout()
    .split("\n")
    .filter((line) => / consumer whk_/.test(line)).length;
}
