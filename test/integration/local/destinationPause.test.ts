import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { destinationIdFor } from "../../../local/localConfig.ts";
import { fetchEvent } from "../../../local/stackClient.ts";
import type { DestinationView } from "../../../ops/destinations/destinationView.ts";
import { removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { jsonOf, oncegate, sendStripeWebhook } from "../../support/operatorCli.ts";
import { type ScriptedConsumer, startScriptedConsumer } from "../../support/scriptedConsumer.ts";

/**
 * A pause on the local stack, end to end through the CLI's own entry point: the paused destination's worker stops
 * polling, so its jobs wait in its queue (no POST, no receive, no attempt consumed) while the other destination is
 * delivered every event; resumed, each job is delivered at its first attempt.
 */
const EVENTS = 20;
/**
 * After the pause, how long until no poller of the destination holds a receive: a long poll under way (5 s) ends,
 * then the next check reads the pause (the worker reuses a read for at most a second).
 */
const POLLS_DRAINED_MS = 6_500;

let stack: StackProcess;
let paused: ScriptedConsumer;
let other: ScriptedConsumer;
let pausedId: string;
const eventIds = Array.from({ length: EVENTS }, (_, index) => `evt_pause_${index + 1}`);

beforeAll(async () => {
  paused = await startScriptedConsumer();
  other = await startScriptedConsumer();
  pausedId = destinationIdFor(paused.url);
  stack = await startStack({ env: { ONCEGATE_DESTINATIONS: `${paused.url},${other.url}` } });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  if (stack) await removeDataDir(stack.dataDir);
  await paused?.close();
  await other?.close();
});

const local = () => ["--local", stack.baseUrl];

async function listed(): Promise<DestinationView> {
  const run = await oncegate(["destinations", "list", ...local(), "--json"]);
  expect(run.code).toBe(0);
  const view = jsonOf<DestinationView[]>(run).find((destination) => destination.id === pausedId);
  if (view === undefined) throw new Error(`destinations list has no ${pausedId}: ${run.stdout}`);
  return view;
}

async function waitFor(what: string, done: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("destinations pause on the local stack", () => {
  test("holds a paused destination's jobs in its queue, then delivers each at its first attempt once resumed", async () => {
    const pause = await oncegate(["destinations", "pause", pausedId, "--reason", "deploying", ...local(), "--json"]);
    expect(pause.code).toBe(0);
    expect(jsonOf(pause)).toMatchObject({ changed: true, state: "paused", pollers: { kind: "local_worker" } });
    await new Promise((resolve) => setTimeout(resolve, POLLS_DRAINED_MS));

    for (const eventId of eventIds) expect(await sendStripeWebhook(stack.baseUrl, eventId)).toBe(202);
    // The other destination is delivered every event meanwhile: a pause holds its own destination only.
    await waitFor("the other destination has every event", async () => other.requests.length >= EVENTS);
    const whilePaused = await listed();
    expect(whilePaused).toMatchObject({ state: "paused", backlog: EVENTS, inFlight: 0, pauseReason: "deploying" });
    expect(paused.requests).toHaveLength(0);

    const resume = await oncegate(["destinations", "resume", pausedId, ...local(), "--json"]);
    expect(jsonOf(resume)).toMatchObject({ changed: true, state: "active" });
    await waitFor("every event delivered", async () => {
      const views = await Promise.all(eventIds.map((eventId) => fetchEvent(stack.baseUrl, "stripe", eventId)));
      return views.every((view) => view?.status === "DELIVERED");
    });
    for (const eventId of eventIds) {
      const view = await fetchEvent(stack.baseUrl, "stripe", eventId);
      expect({ eventId, ...view?.destinations[pausedId] }).toMatchObject({ eventId, status: "DELIVERED", attempts: 1 });
    }
    expect(paused.requests).toHaveLength(EVENTS);
    expect(new Set(paused.requests.map((request) => request.headers["oncegate-attempt"]))).toEqual(new Set(["1"]));
    expect(await listed()).toMatchObject({ state: "active", backlog: 0, inFlight: 0 });
    expect((await listed()).history.map((change) => change.change)).toEqual(["paused", "resumed"]);
  }, 45_000);
});
