import { setTimeout as sleep } from "node:timers/promises";
import { postWebhook } from "../../local/chaosStorm.ts";
import type { ChaosWebhook } from "../../local/chaosWebhooks.ts";
import { readDynamoDbPid } from "../../local/pidFiles.ts";
import { fetchEvent } from "../../local/stackClient.ts";
import { removeDataDir, startStack } from "../../local/stackProcess.ts";
import { retryScheduleCovering } from "./consumerOutage.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { scenarioRow, settledAccount, startScenarioRun } from "./scenarioRun.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";
import { answerKind, unavailableStateProblem } from "./storeFaultChecks.ts";

/** The stream runs this long before DynamoDB Local stops, and this long after it is back. */
const MARGIN_MS = 2_000;
/** Requests in flight at most, like a provider's delivery workers. */
const SENDERS = 16;
/** A provider's retries after the fault: this many, this far apart. */
const RETRIES = 10;
const RETRY_PAUSE_MS = 500;
/** The intake's Lambda timeout in AWS: an answer slower than this would be API Gateway's, not the intake's 503. */
const INTAKE_TIMEOUT_MS = 10_000;

/**
 * DynamoDB Local is stopped (SIGSTOP: its sockets stay open and nothing answers, the worst case for a client) for
 * `faultSeconds` while a paced stream of events is sent. Every answer must be a 2xx or a 503, each in less than the
 * intake's Lambda timeout; an event answered 503 must be not stored, or stored `RECEIVED` and untouched; the
 * harness retries every non-2xx like a provider, and at the end every event is delivered once.
 *
 * The sweeper runs only at start here (the first sweep is over before any event), so that a 503'd event's state is
 * still the one its intake left when the harness reads it; the provider's retry then enqueues it (`requeued`).
 */
export async function runStoreFaults(events: number, faultSeconds: number): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const schedule = retryScheduleCovering(faultSeconds);
  const env = { ...FAST_TIMINGS, ONCEGATE_RETRY_SCHEDULE: schedule.join(","), ONCEGATE_SWEEP_INTERVAL_SECONDS: "3600" };
  const stack = await startStack({ env }, 60_000);
  const jvm = readDynamoDbPid(stack.dataDir);
  try {
    if (jvm === undefined) throw new Error(`no DynamoDB Local pid in ${stack.dataDir}`);
    const run = await startScenarioRun(stack.baseUrl, "faults", events, startedMs);
    const { webhooks, ledger, problems } = run;
    const unavailable = new Set<string>();
    let slowestMs = 0;
    const send = async (webhook: ChaosWebhook) => {
      const sentMs = performance.now();
      const outcome = await postWebhook(stack.baseUrl, webhook);
      const latencyMs = performance.now() - sentMs;
      slowestMs = Math.max(slowestMs, latencyMs);
      ledger.record({ eventId: webhook.eventId, outcome, latencyMs });
      if (answerKind(outcome) === "503") unavailable.add(webhook.eventId);
      return answerKind(outcome);
    };

    const faultMs = faultSeconds * 1000;
    const fault = stopFor(jvm, MARGIN_MS, faultMs);
    // Awaited below, after the stream: a failed kill must not count as unhandled meanwhile.
    fault.catch(() => undefined);
    try {
      await paced(webhooks, MARGIN_MS + faultMs + MARGIN_MS, (webhook) => send(webhook));
    } finally {
      await fault;
    }

    const unanswered = ledger.unanswered();
    const views = await Promise.all(
      unanswered.map((webhook) => fetchEvent(stack.baseUrl, webhook.provider, webhook.eventId)),
    );
    const absent = views.filter((view) => view === undefined).length;
    const contradictions = unanswered
      .map((webhook, index) => unavailableStateProblem(webhook.eventId, views[index]))
      .filter((problem): problem is string => problem !== undefined);
    const receivedUntouched = unanswered.length - absent - contradictions.length;
    if (contradictions.length > 0)
      problems.push(`${contradictions.length} events in no documented state: ${contradictions.slice(0, 3).join("; ")}`);
    await withSenders(unanswered, async (webhook) => {
      for (let retry = 0; retry < RETRIES && (await send(webhook)) !== "2xx"; retry++) await sleep(RETRY_PAUSE_MS);
    });

    const account = await settledAccount(run, SETTLE_TIMEOUT_MS + 4 * faultMs);
    const others = Object.entries(ledger.outcomes).filter(([outcome]) => answerKind(outcome) === "other");
    if (others.length > 0)
      problems.push(`answers other than 2xx or 503: ${JSON.stringify(Object.fromEntries(others))}`);
    const answered503 = ledger.outcomes["503"] ?? 0;
    if (answered503 === 0) problems.push("no 503 while DynamoDB Local was stopped");
    if (slowestMs >= INTAKE_TIMEOUT_MS)
      problems.push(`an answer took ${(slowestMs / 1000).toFixed(1)} s, over the intake's 10 s Lambda timeout`);
    if (account.charges !== account.delivered)
      problems.push(`${account.charges} charges for ${account.delivered} delivered events`);
    return scenarioRow(run, account, {
      scenario: "store faults",
      parameters: `DynamoDB Local stopped (SIGSTOP) for ${faultSeconds} s amid a stream of ${events} events, ${SENDERS} in flight; every non-2xx retried`,
      notes: [
        `${answered503} answers 503 for ${unavailable.size} events, the slowest answer in ${(slowestMs / 1000).toFixed(1)} s; answers ${JSON.stringify(ledger.outcomes)}`,
        `after the fault, of the events answered 503: ${absent} not stored, ${receivedUntouched} stored RECEIVED with nothing enqueued (a put that landed after its answer)`,
      ],
    });
  } finally {
    // Whatever failed above, the JVM must run again: a stopped one would keep the stack from stopping.
    if (jvm !== undefined) resume(jvm);
    await stack.stop();
    await removeDataDir(stack.dataDir);
  }
}

/** SIGSTOP `pid` after `afterMs`, SIGCONT it `forMs` later; resolves once it runs again. */
export async function stopFor(pid: number, afterMs: number, forMs: number): Promise<void> {
  await sleep(afterMs);
  process.kill(pid, "SIGSTOP");
  try {
    await sleep(forMs);
  } finally {
    resume(pid);
  }
}

/** SIGCONT `pid`, if it still exists. */
export function resume(pid: number): void {
  try {
    process.kill(pid, "SIGCONT");
  } catch {
    // Already gone: nothing to resume.
  }
}

/** Sends the webhooks evenly over `spanMs`, {@link SENDERS} at most in flight; one held by a slow answer catches up. */
async function paced(
  webhooks: readonly ChaosWebhook[],
  spanMs: number,
  send: (webhook: ChaosWebhook) => Promise<unknown>,
) {
  const startMs = performance.now();
  const intervalMs = spanMs / Math.max(1, webhooks.length);
  await withSenders(webhooks, async (webhook, index) => {
    await sleep(Math.max(0, startMs + index * intervalMs - performance.now()));
    await send(webhook);
  });
}

async function withSenders<T>(items: readonly T[], work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const sender = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SENDERS, items.length) }, sender));
}
