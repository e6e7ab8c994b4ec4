import { fireStorm } from "../../local/chaosStorm.ts";
import { fetchStats, unsettledProblem, waitUntilSettled } from "../../local/stackClient.ts";
import { AnswerLedger } from "./answerLedger.ts";
import { accountFor } from "./eventAccounting.ts";
import { type MarkedSigningContext, markedWebhooks } from "./markedWebhooks.ts";
import { retryUnanswered } from "./providerRetries.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { SETTLE_TIMEOUT_MS } from "./stackTimings.ts";
import { unavailableCauses } from "./unavailableCauses.ts";

/** Events signed and stormed together; their copies interleave with each other's. */
const CHUNK_EVENTS = 250;
/** A provider's retries of an event answered 503 (every provider retries a 5xx). */
const RETRIES = { rounds: 10, pauseMs: 1_000, concurrency: 8 };

export interface ReplayStormOptions {
  baseUrl: string;
  /** The stack's JSON log file, read for the causes of any 503. */
  logFile: string;
  events: number;
  duplicates: number;
  concurrency: number;
  signing: Omit<MarkedSigningContext, "baseUrl" | "nowMs">;
}

/**
 * N distinct events over the five signature schemes, each sent K times byte for byte, the copies of one event
 * interleaved with the others' and `concurrency` requests in flight: every event must be delivered once, and the
 * consumer must charge and send a receipt once per event. Duplicates racing each other must never cost a 5xx: a 503
 * is retried as a provider would, and fails the row unless the intake's log shows a slow call behind it (a starved
 * machine), never a refused or mishandled write.
 */
export async function runReplayStorm(options: ReplayStormOptions): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const before = await fetchStats(options.baseUrl);
  const prefix = `storm-${Date.now().toString(36)}`;
  const ledger = new AnswerLedger([]);
  // Signed chunk by chunk, just before it is sent: Stripe, Standard Webhooks and Keygen refuse a signature over five
  // minutes old, and a large storm on a small machine can take longer than that.
  for (let first = 0; first < options.events; first += CHUNK_EVENTS) {
    const context = { ...options.signing, baseUrl: options.baseUrl, nowMs: Date.now() };
    const count = Math.min(CHUNK_EVENTS, options.events - first);
    const webhooks = markedWebhooks(prefix, first + count, context).slice(first);
    ledger.add(webhooks);
    await fireStorm({
      baseUrl: options.baseUrl,
      webhooks,
      count: options.duplicates,
      concurrency: options.concurrency,
      onAnswer: ledger.record,
    });
  }
  const stormMs = performance.now() - startedMs;
  const stormOutcomes = { ...ledger.outcomes };
  const unanswered = await retryUnanswered(options.baseUrl, ledger, RETRIES);
  const settle = await waitUntilSettled(options.baseUrl, { timeoutMs: SETTLE_TIMEOUT_MS });
  const account = await accountFor(options.baseUrl, ledger.accepted(), before, settle.stats);
  const problems: string[] = [];
  const errors = ledger.requests - (ledger.outcomes.accepted ?? 0) - (ledger.outcomes.duplicate ?? 0);
  const causes = unavailableCauses(options.logFile, prefix);
  const other = errors - (ledger.outcomes["503"] ?? 0);
  if (other > 0) problems.push(`${other} requests answered neither 2xx nor 503: ${JSON.stringify(ledger.outcomes)}`);
  if (causes.unexplained > 0)
    problems.push(`${causes.unexplained} answers 503 not explained by a slow call: ${JSON.stringify(causes.byCause)}`);
  if (unanswered > 0) problems.push(`${unanswered} events still not answered 2xx after ${RETRIES.rounds} retries`);
  if (account.accepted !== options.events) problems.push(`${options.events - account.accepted} events never got a 2xx`);
  if (!settle.settled) problems.push(unsettledProblem(settle));
  return {
    scenario: "replay storm",
    parameters: `${options.events} events × ${options.duplicates}, concurrency ${options.concurrency}, 5 schemes`,
    eventsSent: options.events,
    requestsSent: ledger.requests,
    ...account,
    timeMs: performance.now() - startedMs,
    problems,
    notes: [
      `answers ${JSON.stringify(stormOutcomes)}; storm ${(stormMs / 1000).toFixed(1)} s, settled ${(settle.waitedMs / 1000).toFixed(1)} s later`,
      ...(errors > 0
        ? [
            `${errors} answers 503 (${JSON.stringify(causes.byCause)}), retried as a provider would: ${JSON.stringify(ledger.outcomes)} in all`,
          ]
        : []),
    ],
  };
}
