import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { fireStorm } from "../../../local/chaosStorm.ts";
import { chaosWebhook } from "../../../local/chaosWebhooks.ts";
import { CONSUMER_FRAMEWORKS, SERVED_BY } from "../../../local/consumerOptions.ts";
import { type ConsumerProcess, consumerUrl, startConsumer } from "../../../local/consumerProcess.ts";
import { freePort } from "../../../local/freePort.ts";
import { destinationIdFor } from "../../../local/localConfig.ts";
import { readyDynamoDbEndpoint } from "../../../local/readyMessage.ts";
import { fetchEvent, fetchStats, waitUntilSettled } from "../../../local/stackClient.ts";
import { newDataDir, removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { postUnsignedDelivery } from "../../support/unsignedDelivery.ts";

// For each way of serving the demo consumer (the Lambda with the SDK's Middy middleware, an Express app on
// @oncegate/sdk/express), a stack whose only destination is that consumer in a process of its own (`npm run
// consumer`), started after the stack because it needs the stack's DynamoDB Local. Both must give the README's
// numbers: the 60-second proof and the crash test.
describe.each(CONSUMER_FRAMEWORKS)("npm run consumer -- --framework %s", (framework) => {
  let stack: StackProcess;
  let consumer: ConsumerProcess;
  let dynamoDbEndpoint: string;
  let port: number;
  // The consumer's own data directory: its crash markers.
  const dataDir = newDataDir();
  const start = (env?: Record<string, string>) => startConsumer({ dynamoDbEndpoint, port, framework, dataDir, env });
  beforeAll(async () => {
    port = await freePort();
    stack = await startStack({ env: { ONCEGATE_DESTINATIONS: consumerUrl(port), ONCEGATE_RETRY_SCHEDULE: "1,1,1" } });
    dynamoDbEndpoint = readyDynamoDbEndpoint(stack.stdout());
    consumer = await start();
  });
  afterAll(async () => {
    await consumer.stop();
    await stack.stop();
    await removeDataDir(stack.dataDir);
    await removeDataDir(dataDir);
  });
  const webhook = (eventId: string) =>
    chaosWebhook("stripe", eventId, { env: {}, baseUrl: stack.baseUrl, nowMs: Date.now() });

  test("says what serves it, then prints one ready line with its URL", () => {
    expect(consumer.stdout()).toContain(`oncegate consumer: serving with ${SERVED_BY[framework]}\n`);
    expect(consumer.stdout().match(/^oncegate consumer: ready .*$/gm)).toEqual([
      `oncegate consumer: ready ${consumer.url}`,
    ]);
  });

  test("the 60-second proof: 50 identical deliveries at once → 1 accepted, 49 duplicates, 1 run, 1 charge", async () => {
    const storm = await fireStorm({
      baseUrl: stack.baseUrl,
      webhooks: [webhook("evt_test_1")],
      count: 50,
      concurrency: 50,
    });
    const settle = await waitUntilSettled(stack.baseUrl, { timeoutMs: 20_000 });

    expect(storm).toMatchObject({ sent: 50, accepted: 1, duplicates: 49, errors: 0 });
    expect(settle.stats).toMatchObject({ charges: 1, receipts: 1, handlerRuns: 1, events: { delivered: 1 }, dlq: 0 });
    const view = await fetchEvent(stack.baseUrl, "stripe", "evt_test_1");
    expect(view?.destinations[destinationIdFor(consumer.url)]).toMatchObject({
      status: "DELIVERED",
      attempts: 1,
      lastStatusCode: 201,
    });
    expect(consumer.stdout()).toMatch(/ consumer whk_\S+: executed$/m);
  });

  test("the crash test: CRASH_ONCE=true dies after the receipt; restarted, it never runs that event again (charges still 1)", async () => {
    await consumer.stop();
    consumer = await start({ CRASH_ONCE: "true" });
    expect(consumer.stdout()).toContain("crash point consumer:after-effect armed: the process dies the first time");

    const storm = await fireStorm({
      baseUrl: stack.baseUrl,
      webhooks: [webhook("evt_crash_1")],
      count: 10,
      concurrency: 10,
    });
    expect(storm).toMatchObject({ accepted: 1, duplicates: 9 });
    expect(await consumer.exited).toEqual({ code: null, signal: "SIGKILL" });

    consumer = await start({ CRASH_ONCE: "true" });
    expect(consumer.stdout()).toContain("crash point consumer:after-effect already fired on this data directory");
    const settle = await waitUntilSettled(stack.baseUrl, { timeoutMs: 40_000 });

    // At most once: the claim stays IN_PROGRESS, every redelivery is refused 409 until the event is DEAD.
    expect(settle.settled).toBe(true);
    expect(settle.stats).toMatchObject({ charges: 1, receipts: 2, handlerRuns: 2, dlq: 1 });
    const destination = (await fetchEvent(stack.baseUrl, "stripe", "evt_crash_1"))?.destinations[
      destinationIdFor(consumer.url)
    ];
    expect(destination).toMatchObject({ status: "DEAD", reason: "http_409" });
    expect(JSON.parse(destination?.lastResponseBody ?? "{}")).toMatchObject({ error: "in_progress" });
    expect(consumer.stdout()).toMatch(/ consumer whk_\S+: in_progress$/m);
  });

  test("ONCEGATE_CRASH_AT=consumer:after-commit dies after the charge committed; the redelivery is replayed", async () => {
    await consumer.stop();
    consumer = await start({ ONCEGATE_CRASH_AT: "consumer:after-commit" });
    await fireStorm({ baseUrl: stack.baseUrl, webhooks: [webhook("evt_commit_1")], count: 1, concurrency: 1 });
    expect(await consumer.exited).toEqual({ code: null, signal: "SIGKILL" });

    consumer = await start();
    const settle = await waitUntilSettled(stack.baseUrl, { timeoutMs: 40_000 });

    expect(settle.stats).toMatchObject({ charges: 2, receipts: 3, handlerRuns: 3, dlq: 1 });
    const view = await fetchEvent(stack.baseUrl, "stripe", "evt_commit_1");
    expect(view?.destinations[destinationIdFor(consumer.url)]).toMatchObject({
      status: "DELIVERED",
      lastStatusCode: 201,
    });
    expect(consumer.stdout()).toMatch(/ consumer whk_\S+: replayed$/m);
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
    expect(await stats.json()).toMatchObject({ error: "not_found", routes: ["POST /consumer/demo"] });
  });

  test("rejects a start with no stack's DynamoDB Local at the endpoint: one line, exit 1", async () => {
    const nobody = `http://127.0.0.1:${await freePort()}`;

    const failure = await startConsumer({ dynamoDbEndpoint: nobody, framework }).catch((error: Error) => error);

    expect(String(failure)).toContain('exited ({"code":1,"signal":null})');
    expect(String(failure)).toContain(`\noncegate consumer: no demo tables at ${nobody} (`);
  });

  test("rejects a gateway crash point, which it would never reach: one line, exit 1", async () => {
    const failure = await startConsumer({
      dynamoDbEndpoint,
      framework,
      dataDir,
      env: { ONCEGATE_CRASH_AT: "intake:after-put" },
    }).catch((error: Error) => error);

    expect(String(failure)).toContain('exited ({"code":1,"signal":null})');
    expect(String(failure)).toContain(
      "\noncegate consumer: ONCEGATE_CRASH_AT: intake:after-put is the gateway's (arm it on npm start)",
    );
  });

  test("stops on SIGTERM with exit 0", async () => {
    expect(await consumer.stop()).toEqual({ code: 0, signal: null });
    expect(consumer.stdout()).toMatch(/^oncegate consumer: SIGTERM: stopping…\noncegate consumer: stopped$/m);
  });
});
