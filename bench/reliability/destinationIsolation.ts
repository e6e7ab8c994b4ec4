import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DestinationControl, readDestinationControl } from "../../lambdas/shared/destinationControl.ts";
import { freePort } from "../../local/freePort.ts";
import { LOCAL_SECRET_DEFAULTS, LOCAL_SECRET_ENV } from "../../local/localSecrets.ts";
import { fetchEvent, unsettledProblem, waitUntilSettled } from "../../local/stackClient.ts";
import { removeDataDir, type StackProcess, startStack } from "../../local/stackProcess.ts";
import { signedStripeWebhook } from "../../local/webhookSigning.ts";
import { pauseDestination, resumeDestination } from "../../ops/destinations/destinationPause.ts";
import { listDestinations } from "../../ops/destinations/listDestinations.ts";
import { localTarget } from "../../ops/target/localTarget.ts";
import type { OperatorTarget } from "../../ops/target/operatorTarget.ts";
import { summarize } from "../stats.ts";
import { retryScheduleCovering } from "./consumerOutage.ts";
import { ControlledDestination } from "./controlledDestination.ts";
import { emptyAccount } from "./eventTotals.ts";
import type { ScenarioResult } from "./scenarioResult.ts";
import { SETTLE_TIMEOUT_MS } from "./stackTimings.ts";

/** The sizes these rows take from the matrix's. */
export interface IsolationSizes {
  /** Events per phase of the first two rows (each goes to both destinations). */
  isolationEvents: number;
  /** How long A is down, then slow, in the first two rows (the 10 minutes, compressed). */
  isolationOutageSeconds: number;
  /** Events sent while A is paused. */
  pauseEvents: number;
}

type Say = (line: string) => void;

const A = "a";
const B = "b";
/** Webhooks per second: a steady stream, so that B's latencies of two phases compare. */
const RATE_PER_SECOND = 20;
/** A's timeout; a slow A answers after {@link SLOW_MS}, so every one of its attempts times out. */
const A_TIMEOUT_MS = 1_000;
const SLOW_MS = 1_500;
/** A breaker quick enough for a compressed outage: 5 failures in a row open it, probes after 1 s, then 2 s. */
const A_BREAKER = {
  consecutiveFailures: 5,
  failureRatePercent: 70,
  windowSeconds: 10,
  minimumAttempts: 10,
  probeAfterSeconds: 1,
  maxProbeAfterSeconds: 2,
};
/**
 * B's p99 bound: twice its baseline, as the issue asks, but never under 250 ms: a baseline p99 of a few tens of
 * milliseconds on a 2-core machine shared with DynamoDB Local's JVM moves by that much between two quiet runs.
 */
const MIN_LATENCY_BOUND_MS = 250;

/** What one phase sent and what each destination got of it. */
interface Phase {
  /** `performance.now()` when its first webhook was sent: its row's time runs from here to settled. */
  startedMs: number;
  ids: string[];
  sentAtMs: Map<string, number>;
  accepted: Set<string>;
  requests: number;
  problems: string[];
}

/**
 * Issue 19's three rows on one local stack with two destinations fed the same stream: A (switched down, slow,
 * paused) and B (always healthy). Each row checks B's p99 delivery latency against its baseline (or, paused, that
 * A got nothing), then that A got every event after it recovered, none twice, and every event is DELIVERED.
 */
export async function runDestinationIsolation(sizes: IsolationSizes, say: Say): Promise<ScenarioResult[]> {
  const a = new ControlledDestination(await freePort());
  const b = new ControlledDestination(await freePort());
  await Promise.all([a.setMode({ kind: "ok" }), b.setMode({ kind: "ok" })]);
  const folder = mkdtempSync(join(tmpdir(), "oncegate-isolation-"));
  const schedule = retryScheduleCovering(sizes.isolationOutageSeconds);
  const file = join(folder, "gateway.json");
  const signingSecrets = [{ env: LOCAL_SECRET_ENV.signing }];
  writeFileSync(
    file,
    JSON.stringify({
      providers: { stripe: { scheme: "stripe", secrets: [{ env: LOCAL_SECRET_ENV.stripe }] } },
      destinations: [
        { id: A, url: a.url, timeoutMs: A_TIMEOUT_MS, circuitBreaker: A_BREAKER, signingSecrets },
        { id: B, url: b.url, timeoutMs: 2_000, signingSecrets },
      ],
      retryScheduleSeconds: schedule,
      sweepAfterSeconds: 1,
    }),
  );
  const stack = await startStack({ args: ["--config", file], env: { ONCEGATE_SWEEP_INTERVAL_SECONDS: "1" } }, 60_000);
  const target = await localTarget(stack.baseUrl);
  try {
    say("destination isolation: baseline…");
    // The stack's first deliveries pay its cold start (connections, the first reads): not part of B's baseline.
    await settle(stack, await sendPhase(stack, "warm", 5), [a, b]);
    const baseline = await sendPhase(stack, "baseline", sizes.isolationEvents);
    await settle(stack, baseline, [a, b]);
    const baselineP99 = p99Of(baseline, b);
    const bound = Math.max(2 * baselineP99, MIN_LATENCY_BOUND_MS);
    const common = { schedule, baselineP99, bound };

    say(`destination isolation: A down for ${sizes.isolationOutageSeconds} s…`);
    const down = await outagePhase(stack, a, { kind: "down" }, "down", sizes);
    await settle(stack, down, [a, b]);
    const downRow = isolationRow(down, a, b, common, {
      scenario: "one destination down, another healthy",
      parameters: `A refuses connections for ${sizes.isolationOutageSeconds} s, B healthy; ${sizes.isolationEvents} events to both at ${RATE_PER_SECOND}/s; retries after ${schedule.join(",")} s`,
    });

    say(`destination isolation: A slower than its timeout for ${sizes.isolationOutageSeconds} s…`);
    const slowFromMs = Date.now();
    const slow = await outagePhase(stack, a, { kind: "slow", slowMs: SLOW_MS }, "slow", sizes);
    await settle(stack, slow, [a, b]);
    const slowRow = isolationRow(slow, a, b, common, {
      scenario: "slow destination",
      parameters: `A answers after ${SLOW_MS} ms (its timeout ${A_TIMEOUT_MS} ms) for ${sizes.isolationOutageSeconds} s, B healthy; ${sizes.isolationEvents} events; breaker: 5 failures in a row, probes after 1–2 s`,
    });
    const control = await controlOf(target, A);
    const since = control.history.filter((change) => change.atMs >= slowFromMs);
    const openedAt = since.findIndex((change) => change.change === "opened");
    const closedAfter = since.slice(openedAt + 1).some((change) => change.change === "closed");
    if (openedAt < 0) slowRow.problems.push("A's circuit never opened while every attempt timed out");
    else if (!closedAfter || control.circuit !== "closed")
      slowRow.problems.push("A's circuit did not close once A answered again");
    const probes = since.filter((change) => change.change === "probe_failed").length;
    slowRow.notes.push(
      `A's circuit: ${since.map((change) => change.change).join(" → ") || "no change"} (${probes} failed probes); attempts at A while slow: ${countAttemptsWhile(a, slow)}`,
    );

    say(`destination isolation: A paused, ${sizes.pauseEvents} events…`);
    const pauseRow = await pauseRowOf(stack, target, a, b, sizes.pauseEvents);
    return [downRow, slowRow, pauseRow];
  } finally {
    target.close();
    await stack.stop();
    await removeDataDir(stack.dataDir);
    await Promise.all([a.close(), b.close()]);
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Sends a phase's events while A is in `mode`, and brings A back `isolationOutageSeconds` after the first. */
async function outagePhase(
  stack: StackProcess,
  a: ControlledDestination,
  mode: Parameters<ControlledDestination["setMode"]>[0],
  marker: string,
  sizes: IsolationSizes,
): Promise<Phase> {
  await a.setMode(mode);
  const back = new Promise((resolve) => setTimeout(resolve, sizes.isolationOutageSeconds * 1000)).then(() =>
    a.setMode({ kind: "ok" }),
  );
  const phase = await sendPhase(stack, marker, sizes.isolationEvents);
  await back;
  return phase;
}

async function pauseRowOf(
  stack: StackProcess,
  target: OperatorTarget,
  a: ControlledDestination,
  b: ControlledDestination,
  events: number,
): Promise<ScenarioResult> {
  const rowStartedMs = performance.now();
  const pause = await pauseDestination(target, A, { reason: "reliability row", identity: "reliability" });
  // The delivery reads a destination's control item at most a second old; the local worker stops polling too.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const pausedAtMs = performance.now();
  const phase = await sendPhase(stack, "paused", events);
  // Long enough for B to have every event and for A to have had them, had the pause not held them.
  await waitFor(() => phase.ids.every((id) => b.firstAnsweredAtMs().has(id)), 60_000);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const requestsWhilePaused = a.requestsSince(pausedAtMs);
  const backlog = await stackBacklogOf(target);
  await resumeDestination(target, A, { identity: "reliability" });
  const resumedAtMs = performance.now();
  await settle(stack, phase, [a, b]);
  const drainedMs = Math.max(...phase.ids.map((id) => a.firstAnsweredAtMs().get(id) ?? 0)) - resumedAtMs;
  if (requestsWhilePaused > 0) phase.problems.push(`A got ${requestsWhilePaused} requests while paused`);
  const attempts = await Promise.all(
    phase.ids.map(async (id) => (await fetchEvent(stack.baseUrl, "stripe", id))?.destinations[A]?.attempts ?? 0),
  );
  const consumed = attempts.filter((count) => count !== 1).length;
  if (consumed > 0) phase.problems.push(`${consumed} events have more than one attempt at A (or none)`);
  const row = rowOf(phase, [a, b], {
    scenario: "pause/resume",
    parameters: `A paused, ${events} events to both, then resumed; B healthy`,
    notes: [
      `${pause.changed ? "paused" : "already paused"}; A got ${requestsWhilePaused} requests while paused, its queue held ${backlog} jobs; after the resume it had every event ${(drainedMs / 1000).toFixed(1)} s later, each in exactly 1 attempt`,
    ],
  });
  row.timeMs = performance.now() - rowStartedMs;
  return row;
}

async function stackBacklogOf(target: OperatorTarget): Promise<string> {
  const views = await listDestinations(target);
  const view = views.find((destination) => destination.id === A);
  return view === undefined ? "?" : String(view.backlog + view.inFlight);
}

function controlOf(target: OperatorTarget, destination: string): Promise<DestinationControl> {
  return readDestinationControl({ client: target.ddb, tableName: target.resources.eventsTable }, destination, {
    consistent: true,
  });
}

/** Sends `count` signed Stripe webhooks at {@link RATE_PER_SECOND}, each retried on a 5xx as Stripe would. */
async function sendPhase(stack: StackProcess, marker: string, count: number): Promise<Phase> {
  const prefix = `evt_${marker}_${Date.now().toString(36)}`;
  const phase: Phase = {
    startedMs: performance.now(),
    ids: [],
    sentAtMs: new Map(),
    accepted: new Set(),
    requests: 0,
    problems: [],
  };
  const sends: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const id = `${prefix}_${index}`;
    phase.ids.push(id);
    sends.push(sendOne(stack.baseUrl, id, phase));
    await new Promise((resolve) => setTimeout(resolve, 1000 / RATE_PER_SECOND));
  }
  await Promise.all(sends);
  return phase;
}

async function sendOne(baseUrl: string, id: string, phase: Phase): Promise<void> {
  phase.sentAtMs.set(id, performance.now());
  for (let tries = 0; tries < 10; tries++) {
    const body = JSON.stringify({ id, object: "event", type: "charge.succeeded", data: { object: {} } });
    const webhook = signedStripeWebhook({ secret: LOCAL_SECRET_DEFAULTS.stripe, eventId: id, nowMs: Date.now(), body });
    phase.requests += 1;
    try {
      const response = await fetch(`${baseUrl}/webhooks/stripe`, {
        method: "POST",
        headers: { ...webhook.headers, "content-type": "application/json" },
        body: webhook.body,
      });
      await response.arrayBuffer();
      if (response.status < 300) {
        phase.accepted.add(id);
        return;
      }
      if (response.status < 500) {
        phase.problems.push(`${id}: intake answered ${response.status}`);
        return;
      }
    } catch {
      // No answer: sent again, as a provider would.
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  phase.problems.push(`${id}: no 2xx after 10 tries`);
}

/** Waits until the stack has settled and every destination has answered every accepted event of the phase. */
async function settle(stack: StackProcess, phase: Phase, destinations: ControlledDestination[]): Promise<void> {
  const everywhere = () =>
    destinations.every((destination) => {
      const answered = destination.firstAnsweredAtMs();
      return [...phase.accepted].every((id) => answered.has(id));
    });
  await waitFor(everywhere, SETTLE_TIMEOUT_MS);
  const settled = await waitUntilSettled(stack.baseUrl, { timeoutMs: 30_000 });
  if (!settled.settled) phase.problems.push(unsettledProblem(settled));
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** B's p99 latency over a phase: from sending each webhook to B's first 2xx for it. */
function p99Of(phase: Phase, b: ControlledDestination): number {
  const answered = b.firstAnsweredAtMs();
  const latencies = phase.ids.flatMap((id) => {
    const at = answered.get(id);
    const sent = phase.sentAtMs.get(id);
    return at === undefined || sent === undefined ? [] : [at - sent];
  });
  return summarize(latencies).p99;
}

function countAttemptsWhile(a: ControlledDestination, phase: Phase): number {
  const ids = new Set(phase.ids);
  return a.deliveries.filter((delivery) => ids.has(delivery.eventId)).length;
}

function isolationRow(
  phase: Phase,
  a: ControlledDestination,
  b: ControlledDestination,
  common: { schedule: number[]; baselineP99: number; bound: number },
  words: { scenario: string; parameters: string },
): ScenarioResult {
  const p99 = p99Of(phase, b);
  if (!(p99 <= common.bound)) {
    phase.problems.push(`B's p99 ${p99.toFixed(0)} ms is over its bound ${common.bound.toFixed(0)} ms`);
  }
  return rowOf(phase, [a, b], {
    ...words,
    notes: [
      `B's p99 delivery latency ${p99.toFixed(0)} ms against its baseline ${common.baselineP99.toFixed(0)} ms (bound ${common.bound.toFixed(0)} ms: 2 × baseline, at least ${MIN_LATENCY_BOUND_MS} ms)`,
    ],
  });
}

/** The row's account: an event is lost unless both destinations answered it 2xx; a key answered twice is a repeat. */
function rowOf(
  phase: Phase,
  destinations: ControlledDestination[],
  words: Pick<ScenarioResult, "scenario" | "parameters" | "notes">,
): ScenarioResult {
  const ids = new Set(phase.ids);
  const lost = [...phase.accepted].filter((id) =>
    destinations.some((destination) => !destination.firstAnsweredAtMs().has(id)),
  );
  const keysOfPhase = (destination: ControlledDestination) =>
    new Set(destination.deliveries.filter((delivery) => ids.has(delivery.eventId)).map((delivery) => delivery.key));
  const duplicated = destinations.flatMap((destination) => {
    const keys = keysOfPhase(destination);
    return destination.keysAnsweredTwice().filter((key) => keys.has(key));
  });
  const handlerRuns = destinations.reduce(
    (sum, destination) =>
      sum + destination.deliveries.filter((d) => ids.has(d.eventId) && d.status !== undefined && d.status < 300).length,
    0,
  );
  return {
    ...emptyAccount(),
    scenario: words.scenario,
    parameters: words.parameters,
    eventsSent: phase.ids.length,
    requestsSent: phase.requests,
    accepted: phase.accepted.size,
    delivered: phase.accepted.size - lost.length,
    handlerRuns,
    lost: lost.length,
    duplicated: duplicated.length,
    lostExamples: lost.slice(0, 3),
    timeMs: performance.now() - phase.startedMs,
    problems: [
      ...phase.problems,
      ...(phase.accepted.size === phase.ids.length
        ? []
        : [`${phase.ids.length - phase.accepted.size} events never got a 2xx`]),
    ],
    notes: words.notes,
  };
}
