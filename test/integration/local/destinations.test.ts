import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { fireStorm } from "../../../local/chaosStorm.ts";
import { chaosWebhook } from "../../../local/chaosWebhooks.ts";
import { destinationIdFor } from "../../../local/localConfig.ts";
import { fetchEvent, waitUntilSettled } from "../../../local/stackClient.ts";
import { removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import {
  hang,
  inSequence,
  respond,
  type ScriptedConsumer,
  startScriptedConsumer,
} from "../../support/scriptedConsumer.ts";

// One event, fanned out to three destinations that each misbehave their own way, on a stack with a quick schedule:
// 4 attempts 1 s apart, a 1.5 s request timeout (so a 5 s visibility timeout before the DLQ takes a dead job). At
// 500 ms, the flaky destination's answering 4th attempt timed out once under the full npm test's load on 2 cores.
const TARGET = "evt_destinations";
let flaky: ScriptedConsumer;
let rejecting: ScriptedConsumer;
let hanging: ScriptedConsumer;
let stack: StackProcess;
beforeAll(async () => {
  flaky = await startScriptedConsumer(inSequence(respond(500), respond(500), respond(500), respond(200)));
  rejecting = await startScriptedConsumer(respond(400, '{"error":"bad_request"}'));
  hanging = await startScriptedConsumer(hang);
  stack = await startStack({
    env: {
      ONCEGATE_DESTINATIONS: [flaky.url, rejecting.url, hanging.url].join(","),
      ONCEGATE_RETRY_SCHEDULE: "1,1,1",
      ONCEGATE_DESTINATION_TIMEOUT_MS: "1500",
    },
  });
  const webhook = chaosWebhook("stripe", TARGET, { env: {}, baseUrl: stack.baseUrl, nowMs: Date.now() });
  await fireStorm({ baseUrl: stack.baseUrl, webhooks: [webhook], count: 1, concurrency: 1 });
  await waitUntilSettled(stack.baseUrl, { timeoutMs: 40_000 });
});
afterAll(async () => {
  await stack.stop();
  await removeDataDir(stack.dataDir);
  await Promise.all([flaky.close(), rejecting.close(), hanging.close()]);
});

describe("delivery to misbehaving destinations", () => {
  const destination = async (consumer: ScriptedConsumer) =>
    (await fetchEvent(stack.baseUrl, "stripe", TARGET))?.destinations[destinationIdFor(consumer.url)];

  test("delivers on attempt 4 after three 500s, with the same Idempotency-Key every time", async () => {
    expect(await destination(flaky)).toMatchObject({ status: "DELIVERED", attempts: 4, lastStatusCode: 200 });
    expect(flaky.requests.map((request) => request.headers["oncegate-attempt"])).toEqual(["1", "2", "3", "4"]);
    const keys = new Set(flaky.requests.map((request) => request.headers["idempotency-key"]));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^whk_/);
  });

  test("fails after one attempt when the destination answers 400", async () => {
    expect(await destination(rejecting)).toMatchObject({ status: "FAILED", attempts: 1, reason: "http_400" });
    expect(rejecting.requests).toHaveLength(1);
  });

  test("gives up on a destination that always times out: DEAD after 4 attempts, its job in the DLQ", async () => {
    expect(await destination(hanging)).toMatchObject({ status: "DEAD", attempts: 4, reason: "timeout" });
    expect(hanging.requests).toHaveLength(4);
    const view = await fetchEvent(stack.baseUrl, "stripe", TARGET);
    expect(view?.status).toBe("DEAD");
    const settled = await waitUntilSettled(stack.baseUrl, { timeoutMs: 1_000 });
    expect(settled.stats).toMatchObject({ events: { dead: 1, queued: 0 }, dlq: 1 });
  });
});
