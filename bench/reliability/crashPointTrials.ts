import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { fireStorm } from "../../local/chaosStorm.ts";
import { CRASH_POINTS, type CrashPoint } from "../../local/crashPoints.ts";
import type { OpsResources } from "../../local/opsResources.ts";
import { LOCAL_BODY_BUCKET, localBodyS3Client } from "../../local/services/bodyBucket.ts";
import { fetchStats, unsettledProblem, waitUntilSettled } from "../../local/stackClient.ts";
import { newDataDir, removeDataDir, type StackExit, type StackProcess, startStack } from "../../local/stackProcess.ts";
import { AnswerLedger } from "./answerLedger.ts";
import { accountFor, type EventAccount } from "./eventAccounting.ts";
import { addAccount, emptyAccount } from "./eventTotals.ts";
import { markedWebhooks } from "./markedWebhooks.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { FAST_TIMINGS, SETTLE_TIMEOUT_MS } from "./stackTimings.ts";

const CRASH_WAIT_MS = 60_000;
const COPIES = 4;

/**
 * The points whose trials take the intake's S3 path (bodies over the inline limit, `s3Bodies`): every trial of
 * `intake:after-body-upload` (only an S3 body reaches it), and one trial more of the points after the claim. A run
 * of one trial each (`--quick`, inside `npm test`) spends its one trial of those points on the S3 path: the inline
 * path at the same points is crashed by `test/integration/local/crashPoints.test.ts` in the same test run.
 */
const S3_TRIALS: Partial<Record<CrashPoint, "all" | "one-more">> = {
  "intake:after-body-upload": "all",
  "intake:after-state-put": "one-more",
  "intake:after-put": "one-more",
};

/** Whether each trial of `point` sends S3-bound bodies, in order. */
export function crashTrialPlan(point: CrashPoint, trials: number): { s3Bodies: boolean }[] {
  const s3 = S3_TRIALS[point];
  const plan = Array.from({ length: trials }, () => ({ s3Bodies: s3 === "all" }));
  if (s3 !== "one-more") return plan;
  return trials === 1 ? [{ s3Bodies: true }] : [...plan, { s3Bodies: true }];
}

/** How many objects the stack's body bucket holds (fauxqs serves S3 on its SQS address). */
async function bodyObjects(baseUrl: string): Promise<number> {
  const resources = (await (await fetch(`${baseUrl}/ops/resources`)).json()) as OpsResources;
  const s3 = localBodyS3Client(resources.endpoints.sqs);
  try {
    let count = 0;
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_BODY_BUCKET, ContinuationToken: token }));
      count += page.KeyCount ?? 0;
      token = page.NextContinuationToken;
    } while (token !== undefined);
    return count;
  } finally {
    s3.destroy();
  }
}

/** One trial of one point: a fresh data directory, the point armed, a storm, the crash, a restart, a provider retry. */
async function crashTrial(point: CrashPoint, events: number, trial: number, s3Bodies: boolean) {
  const dataDir = newDataDir();
  const env = { ...FAST_TIMINGS, ONCEGATE_CRASH_AT: point };
  const problems: string[] = [];
  let requests = 0;
  try {
    const first = await startStack({ dataDir, env }, 60_000);
    const before = await fetchStats(first.baseUrl);
    const context = { env: {}, baseUrl: first.baseUrl, nowMs: Date.now(), marker: "crash", s3Bodies };
    const webhooks = markedWebhooks(`crash-${point.replace(":", "-")}-${trial}`, events, context);
    const ledger = new AnswerLedger(webhooks);
    await fireStorm({ baseUrl: first.baseUrl, webhooks, count: COPIES, concurrency: 16, onAnswer: ledger.record });
    const exit = await exitWithin(first, CRASH_WAIT_MS);
    if (exit?.signal !== "SIGKILL") {
      problems.push(`trial ${trial}: the crash did not happen (${JSON.stringify(exit ?? "still running")})`);
      await first.stop();
    }
    // Same port: Keygen signed the host it called, and a provider retries the same URL.
    const second = await startStack({ dataDir, env, port: first.port }, 60_000);
    try {
      // A provider retries every request that got no 2xx; resend every event once too, as a late retry would.
      await fireStorm({ baseUrl: second.baseUrl, webhooks, count: 1, concurrency: 16, onAnswer: ledger.record });
      const settle = await waitUntilSettled(second.baseUrl, { timeoutMs: SETTLE_TIMEOUT_MS });
      if (!settle.settled) problems.push(`trial ${trial}: ${unsettledProblem(settle)}`);
      requests = ledger.requests;
      const account = await accountFor(second.baseUrl, ledger.accepted(), before, settle.stats);
      if (s3Bodies) {
        // Content-addressed: one object per distinct body, whatever the crash and the retries uploaded.
        const objects = await bodyObjects(second.baseUrl);
        if (objects !== events)
          problems.push(`trial ${trial}: ${objects} objects in the body bucket for ${events} S3 bodies`);
      }
      return { account, problems, requests, exit, sent: events };
    } finally {
      await second.stop();
    }
  } finally {
    await removeDataDir(dataDir);
  }
}

/**
 * Every named crash point, `trials` times each: the stack must die there (SIGKILL, exit 137 in a shell), come back on
 * its data, and account for every event. For `consumer:after-effect` the expected end is one event DEAD with
 * `http_409` (the receipt went out, the charge never committed, the SDK never runs a claimed key again).
 */
export async function runCrashPoints(
  trials: number,
  events: number,
  say: (line: string) => void,
): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  for (const point of CRASH_POINTS) {
    const startedMs = performance.now();
    const total = emptyAccount();
    const problems: string[] = [];
    let requests = 0;
    let crashes = 0;
    const plan = crashTrialPlan(point, trials);
    for (const [index, { s3Bodies }] of plan.entries()) {
      const trial = index + 1;
      say(`  crash point ${point}, trial ${trial}/${plan.length}${s3Bodies ? " (S3 bodies)" : ""}…`);
      const outcome = await crashTrial(point, events, trial, s3Bodies);
      addAccount(total, outcome.account);
      problems.push(...outcome.problems);
      requests += outcome.requests;
      if (outcome.exit?.signal === "SIGKILL") crashes += 1;
      problems.push(...crashExpectations(point, trial, outcome.account));
    }
    const s3Count = plan.filter(({ s3Bodies }) => s3Bodies).length;
    const s3Note = s3Count === 0 ? "" : s3Count === plan.length ? ", S3 bodies" : `, ${s3Count} with S3 bodies`;
    results.push({
      scenario: `crash at ${point}`,
      parameters: `${plan.length} trial(s)${s3Note} × ${events} events × ${COPIES}, then a retry of each`,
      eventsSent: plan.length * events,
      requestsSent: requests,
      ...total,
      timeMs: performance.now() - startedMs,
      problems,
      notes: [
        `${crashes}/${plan.length} crashed with SIGKILL (exit 137)`,
        ...(total.dead > 0
          ? ["dead = claims in flight when the consumer died, refused 409 in_progress ever after (at most once)"]
          : []),
      ],
    });
  }
  return results;
}

/** The stack's exit, or `undefined` when it is still running after `ms`. */
async function exitWithin(stack: StackProcess, ms: number): Promise<StackExit | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([stack.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * What every crash must leave besides "nothing lost": a charge for each delivered event and none for the others
 * (the charge commits with the completion, or not at all). A SIGKILL inside the consumer leaves every claim then in
 * flight IN_PROGRESS, not only the one at the crash point: those events end DEAD with `http_409`, never run again.
 */
const CLAIM_DIED_REASONS = new Set(["http_409", "dead_lettered"]);

function crashExpectations(point: CrashPoint, trial: number, account: EventAccount): string[] {
  const problems: string[] = [];
  if (account.charges !== account.delivered)
    problems.push(`trial ${trial}: ${account.charges} charges for ${account.delivered} delivered events`);
  // A claim that died in flight is refused 409 in_progress for ever (at most once): its job ends DEAD either when its
  // attempts run out (http_409) or, when a starved machine spent receives on infrastructure backoff (DynamoDB Local
  // timing out), on the queue's receive backstop first (dead_lettered). Both leave the event DEAD with its job in the
  // dead-letter queue and nothing charged twice; any other reason is a bug.
  const other = Object.keys(account.reasons).filter((reason) => !CLAIM_DIED_REASONS.has(reason));
  if (other.length > 0) problems.push(`trial ${trial}: unexpected reasons ${other.join(", ")}`);
  if (point === "consumer:after-effect" && account.dead < 1)
    problems.push(`trial ${trial}: expected the crashed event DEAD (http_409 or dead_lettered), got none`);
  return problems;
}
