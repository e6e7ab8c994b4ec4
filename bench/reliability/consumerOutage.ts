import { fireStorm } from "../../local/chaosStorm.ts";
import { freePort } from "../../local/freePort.ts";
import { removeDataDir, startStack } from "../../local/stackProcess.ts";
import { ForwardingConsumer } from "./forwardingConsumer.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { scenarioRow, settledAccount, startScenarioRun } from "./scenarioRun.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";

const COPIES = 3;

/**
 * Delays 1, 2, 4… s until even with −20 % jitter the schedule outlasts the outage twice over: every event's
 * retries still run after the consumer is back.
 */
export function retryScheduleCovering(outageSeconds: number): number[] {
  const schedule: number[] = [];
  for (let delay = 1; schedule.reduce((sum, value) => sum + value, 0) * 0.8 < 2 * outageSeconds; delay *= 2)
    schedule.push(delay);
  return schedule;
}

/**
 * The destination refuses connections for `outageSeconds` from the first request, then comes back: every event must
 * be delivered after the recovery, none dead, and the consumer must run each once.
 */
export async function runConsumerOutage(events: number, outageSeconds: number): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const port = await freePort();
  const consumerPort = await freePort();
  const consumer = new ForwardingConsumer(consumerPort, `http://127.0.0.1:${port}/consumer/demo`);
  const schedule = retryScheduleCovering(outageSeconds);
  const env = { ...FAST_TIMINGS, ONCEGATE_DESTINATIONS: consumer.url, ONCEGATE_RETRY_SCHEDULE: schedule.join(",") };
  const stack = await startStack({ port, env }, 60_000);
  try {
    const run = await startScenarioRun(stack.baseUrl, "outage", events, startedMs);
    const { webhooks, ledger } = run;
    const back = new Promise<void>((resolve) => setTimeout(resolve, outageSeconds * 1000)).then(() =>
      consumer.listen(),
    );
    await fireStorm({ baseUrl: stack.baseUrl, webhooks, count: COPIES, concurrency: 16, onAnswer: ledger.record });
    await back;
    const account = await settledAccount(run, SETTLE_TIMEOUT_MS + 4 * outageSeconds * 1000);
    const redelivered = [...consumer.deliveriesByKey.values()].filter((count) => count > 1).length;
    return scenarioRow(run, account, {
      scenario: "consumer outage",
      parameters: `destination refuses connections for ${outageSeconds} s; ${events} events × ${COPIES}; retries after ${schedule.join(",")} s`,
      notes: [
        `the consumer got ${[...consumer.deliveriesByKey.values()].reduce((a, b) => a + b, 0)} deliveries for ${consumer.deliveriesByKey.size} keys after it came back (${redelivered} keys more than once)`,
      ],
    });
  } finally {
    await stack.stop();
    await consumer.close();
    await removeDataDir(stack.dataDir);
  }
}
