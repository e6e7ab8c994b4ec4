import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { fireStorm, type StormTally } from "../../../local/chaosStorm.ts";
import { chaosWebhook } from "../../../local/chaosWebhooks.ts";
import { type CrashPoint, crashMarkerPath } from "../../../local/crashPoints.ts";
import type { EventView } from "../../../local/eventView.ts";
import { fetchEvent, fetchStats, type SettleResult, waitUntilSettled } from "../../../local/stackClient.ts";
import { stackLogFile } from "../../../local/stackLog.ts";
import type { LocalStats } from "../../../local/stackStats.ts";
import { newDataDir, removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";

// One data directory, crashed at each point in turn: every restart recovers the previous point's event and arms the
// next point (a JVM start is most of a test's time). The order keeps a recovery from reaching the point armed next:
// a consumer that gets a delivery again after a crash answers with a replay or a 409, which never reach its own crash
// points; the intake's points are reached by new events only; the last restart re-arms the last point, which its
// marker keeps from firing again.
const ORDER: CrashPoint[] = [
  "delivery:after-post",
  "consumer:after-effect",
  "consumer:after-commit",
  "intake:after-state-put",
  "intake:after-put",
  "intake:after-enqueue",
];

// Quick local timings: 4 attempts 1 s apart, a 2 s request timeout (so a 5 s visibility timeout before a job left
// in flight by a crash is delivered again), and a sweeper that runs every second for events RECEIVED over 1 s.
const QUICK = {
  ONCEGATE_RETRY_SCHEDULE: "1,1,1",
  ONCEGATE_DESTINATION_TIMEOUT_MS: "2000",
  ONCEGATE_SWEEP_INTERVAL_SECONDS: "1",
  ONCEGATE_SWEEP_AFTER_SECONDS: "1",
};

const dataDir = newDataDir();
let stack: StackProcess;
const armed = (point: CrashPoint) => startStack({ dataDir, env: { ...QUICK, ONCEGATE_CRASH_AT: point } });
beforeAll(async () => {
  stack = await armed(ORDER[0] as CrashPoint);
});
afterAll(async () => {
  await stack?.stop();
  await removeDataDir(dataDir);
});

interface CrashOutcome {
  /** What the intake answered to the storm that crashed the stack. */
  storm: StormTally;
  /** What it answered to the same event sent again after the restart (a provider retry). */
  retry?: StormTally;
  settle: SettleResult;
  /** How each count moved between before the storm and after the recovery. */
  change: { charges: number; receipts: number; handlerRuns: number; dlq: number };
  view: EventView | undefined;
  /** The demo consumer's SDK outcomes for this event (`executed`, `replayed`, `in_progress`…), across both runs. */
  consumerOutcomes: string[];
}

/**
 * With `point` armed on the running stack: sends 10 concurrent copies of a new event, waits for the process to die
 * (SIGKILL, exit 137 in a shell), restarts it on the same data directory with the next point armed, optionally sends
 * the event again, and waits for delivery to settle.
 */
async function crashAndRestart(point: CrashPoint, options: { resend?: boolean } = {}): Promise<CrashOutcome> {
  const eventId = `evt_${point.replace(":", "_")}`;
  const before = await fetchStats(stack.baseUrl);
  const webhook = chaosWebhook("stripe", eventId, { env: {}, baseUrl: stack.baseUrl, nowMs: Date.now() });
  const storm = await fireStorm({ baseUrl: stack.baseUrl, webhooks: [webhook], count: 10, concurrency: 10 });
  expect(await stack.exited).toEqual({ code: null, signal: "SIGKILL" });
  expect(existsSync(crashMarkerPath(dataDir, point))).toBe(true);

  const next = ORDER[ORDER.indexOf(point) + 1] ?? point;
  stack = await armed(next);
  if (next === point) expect(stack.stdout()).toContain(`crash point ${point} already fired on this data directory`);
  const retry = options.resend
    ? await fireStorm({ baseUrl: stack.baseUrl, webhooks: [webhook], count: 1, concurrency: 1 })
    : undefined;
  const settle = await waitUntilSettled(stack.baseUrl, { timeoutMs: 40_000 });
  const view = await fetchEvent(stack.baseUrl, "stripe", eventId);
  return {
    storm,
    ...(retry ? { retry } : {}),
    settle,
    change: change(before, settle.stats),
    view,
    consumerOutcomes: consumerOutcomes(view?.idempotencyKey),
  };
}

function change(before: LocalStats, after: LocalStats): CrashOutcome["change"] {
  const counts = ["charges", "receipts", "handlerRuns", "dlq"] as const;
  return Object.fromEntries(counts.map((name) => [name, after[name] - before[name]])) as CrashOutcome["change"];
}

function consumerOutcomes(key: string | undefined): string[] {
  const lines = readFileSync(stackLogFile(dataDir), "utf8").split("\n").filter(Boolean);
  return lines
    .map((line) => JSON.parse(line) as { source?: string; key?: string; outcome?: string })
    .filter((line) => line.source === "consumer" && line.key === key)
    .map((line) => line.outcome ?? "");
}

/**
 * True when the redeliveries after the restart were all replayed. The first run's `executed` line may or may not be
 * in the log: the process died right after it, before the file write was flushed.
 */
function replayedOnly(outcomes: string[]): boolean {
  const afterRestart = outcomes.filter((outcome) => outcome !== "executed");
  return afterRestart.length > 0 && afterRestart.every((outcome) => outcome === "replayed");
}

const once = { charges: 1, receipts: 1, handlerRuns: 1, dlq: 0 };

describe("crash points: the stack dies there once, restarts on its data, and loses or repeats nothing", () => {
  test("delivery:after-post: the consumer ran once; the unrecorded attempt's redelivery is replayed", async () => {
    const { settle, change, view, consumerOutcomes } = await crashAndRestart("delivery:after-post");

    expect(settle.settled).toBe(true);
    expect(change).toEqual(once);
    expect(view?.status).toBe("DELIVERED");
    // Attempt 1 reached the consumer but was never recorded. Attempts are counted in the event's log, so the
    // redelivery is recorded as attempt 1 again: an unrecorded POST costs no attempt of the schedule.
    expect(view?.attempts.map(({ attempt, statusCode }) => ({ attempt, statusCode }))).toEqual([
      { attempt: 1, statusCode: 201 },
    ]);
    expect(replayedOnly(consumerOutcomes)).toBe(true);
  });

  test("consumer:after-effect: the receipt went out once, the charge never committed, the destination ends DEAD", async () => {
    const { settle, change, view, consumerOutcomes } = await crashAndRestart("consumer:after-effect");

    // At most once: the claim stays IN_PROGRESS, so no redelivery runs the handler (or sends a receipt) again.
    expect(settle.settled).toBe(true);
    expect(change).toEqual({ charges: 0, receipts: 1, handlerRuns: 1, dlq: 1 });
    expect(view).toMatchObject({ status: "DEAD", destinations: { demo: { status: "DEAD", reason: "http_409" } } });
    expect(JSON.parse(view?.destinations.demo?.lastResponseBody ?? "{}")).toMatchObject({ error: "in_progress" });
    expect(view?.destinations.demo?.explanation).toContain("409 in_progress");
    // The crash came before the SDK's log line; every redelivery after the restart was refused.
    expect(new Set(consumerOutcomes)).toEqual(new Set(["in_progress"]));
  });

  test("consumer:after-commit: the charge committed once; the redelivery is replayed and the event delivered", async () => {
    const { settle, change, view, consumerOutcomes } = await crashAndRestart("consumer:after-commit");

    expect(settle.settled).toBe(true);
    expect(change).toEqual(once);
    expect(view).toMatchObject({
      status: "DELIVERED",
      destinations: { demo: { status: "DELIVERED", lastStatusCode: 201 } },
    });
    expect(replayedOnly(consumerOutcomes)).toBe(true);
  });

  test("intake:after-state-put: the provider's retry stores the missing body, and the event is delivered once", async () => {
    const outcome = await crashAndRestart("intake:after-state-put", { resend: true });

    // The copy that won the state put died before its body put: never acknowledged. (A concurrent copy answered as a
    // duplicate would have stored the body from its own bytes first.)
    expectDeliveredOnceByTheRetry(outcome);
    expect(outcome.view?.payloadBytes).toBeGreaterThan(0);
  });

  test("intake:after-put: the stored event is enqueued after the restart and delivered once", async () => {
    const outcome = await crashAndRestart("intake:after-put", { resend: true });

    expectDeliveredOnceByTheRetry(outcome);
  });

  test("intake:after-enqueue: the job already on the queue is delivered once", async () => {
    const { settle, change, view } = await crashAndRestart("intake:after-enqueue");

    expect(settle.settled).toBe(true);
    expect(change).toEqual(once);
    expect(view).toMatchObject({ status: "DELIVERED", destinations: { demo: { status: "DELIVERED" } } });
  });
});

/**
 * An intake crash before any acknowledgement: nothing was accepted by the storm, the provider's one retry is answered
 * as a duplicate of the stored event, and the event is delivered once. After the restart the retry and the sweeper
 * may both enqueue it: two copies POSTing at once (one answered 409 in_progress, the handler running once) are both
 * listed; the one that came after the destination settled is not counted against its schedule.
 */
function expectDeliveredOnceByTheRetry(outcome: Awaited<ReturnType<typeof crashAndRestart>>): void {
  const { storm, retry, settle, change, view } = outcome;
  expect(storm.accepted).toBe(0);
  expect(retry).toMatchObject({ duplicates: 1, errors: 0 });
  expect(settle.settled).toBe(true);
  expect(change).toEqual(once);
  expect(view).toMatchObject({ status: "DELIVERED", destinations: { demo: { status: "DELIVERED" } } });
  expect(view?.attempts.filter(({ statusCode }) => statusCode === 201)).toHaveLength(1);
  expect(view?.attempts.length).toBeGreaterThanOrEqual(view?.destinations.demo?.attempts ?? 0);
}
