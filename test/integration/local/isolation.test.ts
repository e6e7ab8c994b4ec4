import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { destinationIdFor } from "../../../local/localConfig.ts";
import { fetchEvent } from "../../../local/stackClient.ts";
import { removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { sendStripeWebhook } from "../../support/operatorCli.ts";
import { hang, type ScriptedConsumer, startScriptedConsumer } from "../../support/scriptedConsumer.ts";

/**
 * Isolation on the local stack: each destination has its own queue (`oncegate-jobs-<id>`) and its own worker, so a
 * destination that never answers holds its own pollers for its whole timeout and no one else's. On one shared
 * queue, with batches of 10 handled record by record in parallel, every batch holding a job of the silent
 * destination would be held for its 8 s timeout, and the healthy destination's jobs in it and behind it with it.
 */
const EVENTS = 40;
const TIMEOUT_MS = 8_000;

let stack: StackProcess;
let silent: ScriptedConsumer;
let healthy: ScriptedConsumer;
beforeAll(async () => {
  silent = await startScriptedConsumer(hang);
  healthy = await startScriptedConsumer();
  stack = await startStack({
    env: {
      ONCEGATE_DESTINATIONS: `${silent.url},${healthy.url}`,
      ONCEGATE_DESTINATION_TIMEOUT_MS: String(TIMEOUT_MS),
      ONCEGATE_RETRY_SCHEDULE: "30",
    },
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  if (stack) await removeDataDir(stack.dataDir);
  await silent?.close();
  await healthy?.close();
});

describe("one queue and one worker per destination (local stack)", () => {
  test("a destination that never answers delays no other: the healthy one has every event before the first timeout ends", async () => {
    const startedMs = performance.now();
    const ids = Array.from({ length: EVENTS }, (_, i) => `evt_isolation_${i}`);
    for (const id of ids) expect(await sendStripeWebhook(stack.baseUrl, id)).toBe(202);
    const distinct = () => new Set(healthy.requests.map((request) => request.headers["oncegate-event-id"])).size;
    while (distinct() < EVENTS && performance.now() - startedMs < 3 * TIMEOUT_MS)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const healthyDoneMs = performance.now() - startedMs;
    expect(distinct()).toBe(EVENTS);
    // Before the silent destination's first attempts could even time out: nothing waited behind them.
    expect(healthyDoneMs).toBeLessThan(TIMEOUT_MS);
    // The silent destination got its attempts all the same, on its own queue, and is PENDING for its retry.
    expect(silent.requests.length).toBeGreaterThan(0);
    const healthyId = destinationIdFor(healthy.url);
    const silentId = destinationIdFor(silent.url);
    const view = await fetchEvent(stack.baseUrl, "stripe", ids[0] as string);
    expect(view?.destinations?.[healthyId]?.status).toBe("DELIVERED");
    expect(view?.destinations?.[silentId]?.status).not.toBe("DELIVERED");
  });
});
