import { fireStorm } from "../../local/chaosStorm.ts";
import type { EventView } from "../../local/eventView.ts";
import { fetchEvent } from "../../local/stackClient.ts";
import { removeDataDir, startStack } from "../../local/stackProcess.ts";
import { forwardingToDemoConsumer } from "./forwardingConsumer.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { scenarioRow, settledAccount, startScenarioRun } from "./scenarioRun.ts";
import { slowConsumerFindings } from "./slowConsumerChecks.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";

/**
 * One event's timeline, in seconds from its first attempt: 0 the POST, the SDK claims the key and the handler starts
 * its 8 s; 1 the gateway gives up (timeout) and retries after the local 1 s floor; ~2 and ~3 the retries find the claim
 * held: 409 `in_progress`, `Retry-After: 1`; 8 the run completes; the next retry gets the stored answer: DELIVERED.
 * 8 s leaves the retries at 2 and 3 s room to be 5 s late and still meet a run in progress: 5 s was not enough in a
 * default run beside the gateway kills and 10 000 hostile requests (4 of 40 events saw their first retry only after
 * their run, 2026-12-02).
 */
const HANDLER_MS = 8_000;
const DESTINATION_TIMEOUT_MS = 1_000;
/** Ten attempts 1 s apart: more than the timeline above needs. */
const RETRY_SCHEDULE = "1,1,1,1,1,1,1,1,1";

/**
 * The demo consumer takes longer than the delivery timeout: every event must be retried with the same
 * `Idempotency-Key`, answered 409 while its first run goes on, then delivered from the stored answer, with exactly one
 * handler run and one charge per event. A harness destination in front of the demo consumer records every answer.
 */
export async function runSlowConsumer(events: number): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const { port, consumer } = await forwardingToDemoConsumer();
  const env = {
    ...FAST_TIMINGS,
    ONCEGATE_DESTINATIONS: consumer.url,
    ONCEGATE_DESTINATION_TIMEOUT_MS: String(DESTINATION_TIMEOUT_MS),
    ONCEGATE_RETRY_SCHEDULE: RETRY_SCHEDULE,
    ONCEGATE_DEMO_CONSUMER_DELAY_MS: String(HANDLER_MS),
  };
  const stack = await startStack({ port, env }, 60_000);
  try {
    await consumer.listen();
    const run = await startScenarioRun(stack.baseUrl, "slow", events, startedMs);
    const { webhooks, ledger, problems } = run;
    await fireStorm({ baseUrl: stack.baseUrl, webhooks, count: 1, concurrency: 16, onAnswer: ledger.record });
    const account = await settledAccount(run, SETTLE_TIMEOUT_MS);
    if (account.handlerRuns !== events) problems.push(`${account.handlerRuns} handler runs for ${events} events`);
    if (account.charges !== events) problems.push(`${account.charges} charges for ${events} events`);
    const views = await Promise.all(
      webhooks.map((webhook) => fetchEvent(stack.baseUrl, webhook.provider, webhook.eventId)),
    );
    const stored = views.filter((view): view is EventView => view !== undefined);
    const findings = slowConsumerFindings(stored, consumer.answers);
    problems.push(...findings.problems);
    const { min, max } = findings.deliveriesPerEvent;
    return scenarioRow(run, account, {
      scenario: "slow consumer",
      parameters: `handler takes ${HANDLER_MS / 1000} s, delivery timeout ${DESTINATION_TIMEOUT_MS / 1000} s; ${events} events; retries 1 s apart`,
      notes: [
        `${findings.timeouts} timeouts and ${findings.conflicts} answers 409 in_progress for ${stored.length} events; ${min}–${max} deliveries per event, each with its event's Idempotency-Key`,
      ],
    });
  } finally {
    await stack.stop();
    await consumer.close();
    await removeDataDir(stack.dataDir);
  }
}
