import { fireStorm } from "../../local/chaosStorm.ts";
import { fetchStats } from "../../local/stackClient.ts";
import { removeDataDir, startStack } from "../../local/stackProcess.ts";
import { retryUnanswered } from "./providerRetries.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { scenarioRow, settledAccount, startScenarioRun } from "./scenarioRun.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";

const COPIES = 2;
const S3_EVERY = 4;
const CONCURRENCY = 32;
/** A provider's retries of an event answered 503: plenty, a second apart (Stripe retries for 3 days). */
const RETRIES = { rounds: 30, pauseMs: 1_000, concurrency: 16 };

export interface AwsFaultsOptions {
  events: number;
  /** Share of the gateway's AWS call attempts faulted, in percent. */
  ratePercent: number;
  seed: number;
}

/**
 * `ratePercent` % of every AWS call attempt the gateway's Lambdas make (intake, delivery and sweeper; DynamoDB, SQS
 * and S3, a quarter of the bodies being S3-bound) is faulted at random, seeded: an answer lost after the call applied, a throttle, a 500, or a hang past the
 * client's timeout (`local/awsFaults.ts`). Every event is sent twice, every non-2xx retried like a provider: every
 * event must end DELIVERED, each effect once, nothing in the dead-letter queue.
 */
export async function runAwsFaultsAtRandom(options: AwsFaultsOptions): Promise<ScenarioResult> {
  const startedMs = performance.now();
  const rate = options.ratePercent / 100;
  // Five attempts: an attempt spent on a faulted recording must not be the one that decides.
  const env = {
    ...FAST_TIMINGS,
    ONCEGATE_RETRY_SCHEDULE: "1,2,4,8",
    ONCEGATE_AWS_FAULTS: `rate=${rate},seed=${options.seed}`,
  };
  const stack = await startStack({ env }, 60_000);
  try {
    // A quarter of the bodies over the inline limit: their intake puts to S3, their delivery reads from it.
    const run = await startScenarioRun(stack.baseUrl, "awsfaults", options.events, startedMs, { s3Every: S3_EVERY });
    const { webhooks, ledger, problems } = run;
    await fireStorm({
      baseUrl: stack.baseUrl,
      webhooks,
      count: COPIES,
      concurrency: CONCURRENCY,
      onAnswer: ledger.record,
    });
    const unanswered = await retryUnanswered(stack.baseUrl, ledger, RETRIES);
    if (unanswered > 0) problems.push(`${unanswered} events still not answered 2xx after ${RETRIES.rounds} retries`);
    const account = await settledAccount(run, SETTLE_TIMEOUT_MS * 2);
    const stats = await fetchStats(stack.baseUrl);
    if (stats.dlq > 0) problems.push(`${stats.dlq} jobs in the dead-letter queue`);
    const injected = stats.awsFaults;
    const total = (counts?: { lost: number; throttle: number; "server-error": number; hang: number }) =>
      counts === undefined ? 0 : counts.lost + counts.throttle + counts["server-error"] + counts.hang;
    const faults = total(injected?.dynamodb) + total(injected?.sqs) + total(injected?.s3);
    if (faults === 0) problems.push("no fault was injected");
    if (total(injected?.s3) === 0 && options.events * options.ratePercent >= 2000)
      problems.push("no S3 fault was injected");
    if (account.charges !== account.delivered) {
      problems.push(`${account.charges} charges for ${account.delivered} delivered events`);
    }
    return scenarioRow(run, account, {
      scenario: "AWS faults at random",
      parameters: `${options.ratePercent} % of the gateway's DynamoDB, SQS and S3 call attempts faulted (lost answer after apply, throttle, 500, hang), seed ${options.seed}; ${options.events} events × ${COPIES}, 1 in ${S3_EVERY} with an S3 body; every non-2xx retried`,
      notes: [
        `injected ${faults} faults: DynamoDB ${JSON.stringify(injected?.dynamodb)}, SQS ${JSON.stringify(injected?.sqs)}, S3 ${JSON.stringify(injected?.s3)}`,
        `answers ${JSON.stringify(ledger.outcomes)}; DLQ ${stats.dlq}`,
      ],
    });
  } finally {
    await stack.stop();
    await removeDataDir(stack.dataDir);
  }
}
