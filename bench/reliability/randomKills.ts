import { fireStorm } from "../../local/chaosStorm.ts";
import { randomInt, seededRandom } from "../../local/seededRandom.ts";
import { fetchStats, unsettledProblem, waitUntilSettled } from "../../local/stackClient.ts";
import { newDataDir, removeDataDir, startStack } from "../../local/stackProcess.ts";
import { AnswerLedger } from "./answerLedger.ts";
import { accountFor } from "./eventAccounting.ts";
import { addAccount, emptyAccount } from "./eventTotals.ts";
import { markedWebhooks } from "./markedWebhooks.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";

const COPIES = 3;
/** Kill moments are drawn in this window after the stream starts: it spans intake, delivery and the consumer. */
const KILL_WINDOW_MS = [100, 3000] as const;

/**
 * `rounds` times: a fresh stack, a stream of events with duplicates, a SIGKILL of the whole stack at a seeded random
 * moment, a restart on the same data, every event that never got a 2xx sent again (a provider's retry), and the
 * accounting. A claim in flight at the kill ends DEAD with `http_409` (the handler ran at most once): accounted for.
 */
export async function runRandomKills(
  rounds: number,
  events: number,
  seed: number,
  say: (line: string) => void,
): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const random = seededRandom(seed);
  const total = emptyAccount();
  const problems: string[] = [];
  const killMoments: number[] = [];
  let requests = 0;
  for (let round = 1; round <= rounds; round++) {
    const killAfterMs = randomInt(random, KILL_WINDOW_MS[0], KILL_WINDOW_MS[1]);
    killMoments.push(killAfterMs);
    say(`  kill at random: gateway, round ${round}/${rounds}: SIGKILL ${killAfterMs} ms into the stream…`);
    const dataDir = newDataDir();
    try {
      const first = await startStack({ dataDir, env: FAST_TIMINGS }, 60_000);
      const before = await fetchStats(first.baseUrl);
      const context = { env: {}, baseUrl: first.baseUrl, nowMs: Date.now(), marker: "kill" };
      const webhooks = markedWebhooks(`kill-${round}`, events, context);
      const ledger = new AnswerLedger(webhooks);
      const killer = setTimeout(() => first.child.kill("SIGKILL"), killAfterMs);
      await fireStorm({ baseUrl: first.baseUrl, webhooks, count: COPIES, concurrency: 8, onAnswer: ledger.record });
      await first.exited.finally(() => clearTimeout(killer)).catch(() => undefined);
      if (first.child.signalCode !== "SIGKILL") first.child.kill("SIGKILL");
      await first.exited;
      const second = await startStack({ dataDir, env: FAST_TIMINGS, port: first.port }, 60_000);
      try {
        const retries = ledger.unanswered();
        await fireStorm({
          baseUrl: second.baseUrl,
          webhooks: retries,
          count: 2,
          concurrency: 8,
          onAnswer: ledger.record,
        });
        const stillUnanswered = ledger.unanswered().length;
        if (stillUnanswered > 0)
          problems.push(`round ${round}: ${stillUnanswered} events never got a 2xx after the restart`);
        const settle = await waitUntilSettled(second.baseUrl, { timeoutMs: SETTLE_TIMEOUT_MS });
        if (!settle.settled) problems.push(`round ${round}: ${unsettledProblem(settle)}`);
        const account = await accountFor(second.baseUrl, ledger.accepted(), before, settle.stats);
        if (account.charges !== account.delivered)
          problems.push(`round ${round}: ${account.charges} charges for ${account.delivered} delivered events`);
        addAccount(total, account);
        requests += ledger.requests;
      } finally {
        await second.stop();
      }
    } finally {
      await removeDataDir(dataDir);
    }
  }
  return {
    scenario: "kill at random: gateway",
    parameters: `${rounds} rounds × ${events} events × ${COPIES}, seed ${seed}`,
    eventsSent: rounds * events,
    requestsSent: requests,
    ...total,
    timeMs: performance.now() - startedMs,
    problems,
    notes: [`SIGKILL moments (ms into the stream): ${killMoments.join(", ")}`],
  };
}
