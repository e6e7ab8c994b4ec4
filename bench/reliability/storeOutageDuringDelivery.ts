import { setTimeout as sleep } from "node:timers/promises";
import { fireStorm } from "../../local/chaosStorm.ts";
import { readDynamoDbPid } from "../../local/pidFiles.ts";
import { fetchStats } from "../../local/stackClient.ts";
import { removeDataDir, startStack } from "../../local/stackProcess.ts";
import { forwardingToDemoConsumer } from "./forwardingConsumer.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { scenarioRow, settledAccount, startScenarioRun } from "./scenarioRun.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";
import { resume, stopFor } from "./storeFaults.ts";

/** Five attempts 2, 4, 8, 16 s apart: the first fails (the consumer is down), the rest wait out the outage. */
const SCHEDULE = "2,4,8,16";
/** After the last event is accepted, time for every job's first attempt to fail before the store stops. */
const FIRST_ATTEMPTS_MS = 3_000;

/**
 * Every event's first attempt fails (the consumer refuses connections), so all `events` are between attempts when
 * DynamoDB Local is stopped (SIGSTOP) for `outageSeconds`; the consumer comes back as the store stops. Each
 * receive during the outage fails on the store before any POST: it must cost no attempt and back off, so when the
 * store returns every event is delivered, none DEAD, nothing in the dead-letter queue. (Counting attempts from
 * SQS's receive count, with maxReceiveCount = attempts, sent every job to the DLQ within a minute of outage.)
 */
export async function runStoreOutageDuringDelivery(events: number, outageSeconds: number): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const { port, consumer } = await forwardingToDemoConsumer();
  const env = {
    ...FAST_TIMINGS,
    ONCEGATE_DESTINATIONS: consumer.url,
    ONCEGATE_RETRY_SCHEDULE: SCHEDULE,
    // No sweeps while the store is away: the sweeper's own failures are not what this row measures.
    ONCEGATE_SWEEP_INTERVAL_SECONDS: "3600",
  };
  const stack = await startStack({ port, env }, 60_000);
  const jvm = readDynamoDbPid(stack.dataDir);
  try {
    if (jvm === undefined) throw new Error(`no DynamoDB Local pid in ${stack.dataDir}`);
    const run = await startScenarioRun(stack.baseUrl, "outage-store", events, startedMs);
    const { webhooks, ledger, problems } = run;
    await fireStorm({ baseUrl: stack.baseUrl, webhooks, count: 1, concurrency: 16, onAnswer: ledger.record });
    const outage = stopFor(jvm, FIRST_ATTEMPTS_MS, outageSeconds * 1000);
    outage.catch(() => undefined);
    await sleep(FIRST_ATTEMPTS_MS);
    await consumer.listen();
    await outage;
    // Backoffs grow to 10 · 2^k s during the outage: settling may take about as long again.
    const account = await settledAccount(run, SETTLE_TIMEOUT_MS + 3 * outageSeconds * 1000);
    const stats = await fetchStats(stack.baseUrl);
    if (stats.dlq > 0) problems.push(`${stats.dlq} jobs in the dead-letter queue`);
    const failedFirst = ledger.unanswered().length;
    if (failedFirst > 0) problems.push(`${failedFirst} events not accepted before the outage`);
    return scenarioRow(run, account, {
      scenario: "store outage during delivery",
      parameters: `DynamoDB Local stopped (SIGSTOP) for ${outageSeconds} s while ${events} events wait between attempts (retries after ${SCHEDULE} s)`,
      notes: [
        `the consumer got ${[...consumer.deliveriesByKey.values()].reduce((a, b) => a + b, 0)} deliveries for ${consumer.deliveriesByKey.size} keys after it came back; DLQ ${stats.dlq}`,
      ],
    });
  } finally {
    if (jvm !== undefined) resume(jvm);
    await stack.stop();
    await consumer.close();
    await removeDataDir(stack.dataDir);
  }
}
