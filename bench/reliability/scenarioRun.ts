import type { ChaosProvider, ChaosWebhook } from "../../local/chaosWebhooks.ts";
import { fetchStats, unsettledProblem, waitUntilSettled } from "../../local/stackClient.ts";
import type { LocalStats } from "../../local/stackStats.ts";
import { AnswerLedger } from "./answerLedger.ts";
import { accountFor, type EventAccount } from "./eventAccounting.ts";
import { markedWebhook, markedWebhooks } from "./markedWebhooks.ts";
import type { ScenarioResult } from "./scenarioResult.ts";

/** One scenario's events on one stack, from signing them to its row of the matrix. */
export interface ScenarioRun {
  baseUrl: string;
  /** `performance.now()` when the scenario began (its stack's start included): the row's time runs from here. */
  startedMs: number;
  /** The stack's counters before the first event: the account is the difference. */
  before: LocalStats;
  webhooks: ChaosWebhook[];
  /** Pass `ledger.record` as every storm's `onAnswer`. */
  ledger: AnswerLedger;
  /** What the scenario expected and did not see; {@link settledAccount} adds the usual ones. */
  problems: string[];
}

/** `events` webhooks named `<marker>-<time>-<i>` and signed now, over the five schemes, with a ledger for them. */
export async function startScenarioRun(
  baseUrl: string,
  marker: string,
  events: number,
  startedMs: number,
  options: { s3Every?: number } = {},
): Promise<ScenarioRun> {
  const before = await fetchStats(baseUrl);
  const context = { env: {}, baseUrl, nowMs: Date.now(), marker };
  const prefix = `${marker}-${Date.now().toString(36)}`;
  const { s3Every } = options;
  // Every `s3Every`-th event with a body over the inline limit, so that its body takes the S3 path.
  const webhooks = markedWebhooks(prefix, events, context).map((webhook, index) =>
    s3Every !== undefined && index % s3Every === 0
      ? markedWebhook(webhook.provider as ChaosProvider, webhook.eventId, { ...context, s3Bodies: true })
      : webhook,
  );
  return { baseUrl, startedMs, before, webhooks, ledger: new AnswerLedger(webhooks), problems: [] };
}

/**
 * Waits (at most `timeoutMs`) until delivery settles, then accounts for every event that got a 2xx. Adds to the
 * run's problems what every scenario here promises: settled, every event answered 2xx, none failed or dead.
 */
export async function settledAccount(run: ScenarioRun, timeoutMs: number): Promise<EventAccount> {
  const settle = await waitUntilSettled(run.baseUrl, { timeoutMs });
  if (!settle.settled) run.problems.push(unsettledProblem(settle));
  const account = await accountFor(run.baseUrl, run.ledger.accepted(), run.before, settle.stats);
  const events = run.webhooks.length;
  if (account.accepted !== events) run.problems.push(`${events - account.accepted} events never got a 2xx`);
  if (account.dead + account.failed > 0) run.problems.push(`${account.dead + account.failed} events not delivered`);
  return account;
}

/** The run's row: its events, requests, account, time and problems, with the scenario's own words. */
export function scenarioRow(
  run: ScenarioRun,
  account: EventAccount,
  words: Pick<ScenarioResult, "scenario" | "parameters" | "notes">,
): ScenarioResult {
  return {
    scenario: words.scenario,
    parameters: words.parameters,
    eventsSent: run.webhooks.length,
    requestsSent: run.ledger.requests,
    ...account,
    timeMs: performance.now() - run.startedMs,
    problems: run.problems,
    notes: words.notes,
  };
}
