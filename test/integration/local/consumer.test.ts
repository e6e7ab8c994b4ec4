import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { fireStorm } from "../../../local/chaosStorm.ts";
import { chaosWebhook } from "../../../local/chaosWebhooks.ts";
import { type ConsumerProcess, consumerUrl, startConsumer } from "../../../local/consumerProcess.ts";
import { freePort } from "../../../local/freePort.ts";
import { destinationIdFor } from "../../../local/localConfig.ts";
import { readyDynamoDbEndpoint } from "../../../local/readyMessage.ts";
import { fetchEvent, fetchStats, waitUntilSettled } from "../../../local/stackClient.ts";
import { removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { postUnsignedDelivery } from "../../support/unsignedDelivery.ts";

// A stack whose only destination is the demo consumer in a process of its own (`npm run consumer`), started after
// the stack because it needs the stack's DynamoDB Local.
let stack: StackProcess;
let consumer: ConsumerProcess;
beforeAll(async () => {
  const port = await freePort();
  stack = await startStack({ env: { ONCEGATE_DESTINATIONS: consumerUrl(port), ONCEGATE_RETRY_SCHEDULE: "1,1,1" } });
  consumer = await startConsumer({ dynamoDbEndpoint: readyDynamoDbEndpoint(stack.stdout()), port });
});
afterAll(async () => {
  await consumer.stop();
  await stack.stop();
  await removeDataDir(stack.dataDir);
});

describe("npm run consumer", () => {
  test("prints one ready line with its URL", () => {
    expect(consumer.stdout().match(/^oncegate consumer: ready .*$/gm)).toEqual([
      `oncegate consumer: ready ${consumer.url}`,
    ]);
  });

  test("runs a delivery the stack signed once, counted in the stack's /stats", async () => {
    const webhook = chaosWebhook("stripe", "evt_alone", { env: {}, baseUrl: stack.baseUrl, nowMs: Date.now() });
    await fireStorm({ baseUrl: stack.baseUrl, webhooks: [webhook], count: 3, concurrency: 3 });
    const settle = await waitUntilSettled(stack.baseUrl, { timeoutMs: 20_000 });

    expect(settle.stats).toMatchObject({ charges: 1, receipts: 1, handlerRuns: 1, events: { delivered: 1 } });
    const view = await fetchEvent(stack.baseUrl, "stripe", "evt_alone");
    expect(view?.destinations[destinationIdFor(consumer.url)]).toMatchObject({
      status: "DELIVERED",
      attempts: 1,
      lastStatusCode: 201,
    });
    expect(consumer.stdout()).toMatch(/ consumer whk_\S+: executed$/m);
  });

  test("refuses a delivery the gateway did not sign, without running or claiming anything", async () => {
    const before = await fetchStats(stack.baseUrl);
    const forged = await postUnsignedDelivery(consumer.url);

    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ ok: false, error: "invalid_signature" });
    expect(await fetchStats(stack.baseUrl)).toEqual(before);
  });

  test("serves nothing but the demo consumer", async () => {
    const stats = await fetch(new URL("/stats", consumer.url));

    expect(stats.status).toBe(404);
    expect(await stats.json()).toMatchObject({ routes: ["POST /consumer/demo"] });
  });

  test("rejects a start with no stack's DynamoDB Local at the endpoint: one line, exit 1", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;

    const failure = await startConsumer({ dynamoDbEndpoint: nobody }).catch((error: Error) => error);

    expect(String(failure)).toContain('exited ({"code":1,"signal":null})');
    expect(String(failure)).toContain(`\noncegate consumer: no demo tables at ${nobody} (`);
  });

  test("stops on SIGTERM with exit 0", async () => {
    expect(await consumer.stop()).toEqual({ code: 0, signal: null });
    expect(consumer.stdout()).toMatch(/^oncegate consumer: SIGTERM: stopping…\noncegate consumer: stopped$/m);
  });
});
