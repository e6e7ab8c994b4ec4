import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { ChaosOptions } from "../../../local/chaosOptions.ts";
import { runChaos } from "../../../local/chaosRun.ts";
import { fetchEvent, fetchStats } from "../../../local/stackClient.ts";
import { removeDataDir, type StackProcess, spawnStack, startStack } from "../../support/localStackProcess.ts";
import { postUnsignedDelivery } from "../../support/unsignedDelivery.ts";

let stack: StackProcess;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
  await removeDataDir(stack.dataDir);
});

function chaos(overrides: Partial<ChaosOptions>): ChaosOptions {
  const defaults = { count: 50, concurrency: 50, provider: "stripe", events: 1, timeoutSeconds: 30 } as const;
  return { eventId: "evt", baseUrl: stack.baseUrl, ...defaults, ...overrides };
}

describe("npm start", () => {
  test("prints one ready line with the intake URL, then the local secrets", () => {
    const output = stack.stdout();
    expect(output.match(/^oncegate: ready .*$/gm)).toEqual([`oncegate: ready ${stack.baseUrl}/webhooks/{provider}`]);
    expect(output).toContain("STRIPE_WEBHOOK_SECRET=whsec_");
    expect(output).toContain("ONCEGATE_SIGNING_SECRET=whsec_");
  });

  test("runs each of 20 events once under 50 concurrent duplicates of each: 20 charges, receipts and runs", async () => {
    const { tally, settle } = await runChaos(chaos({ eventId: "evt_storm", events: 20 }), {});

    expect(tally).toEqual({ sent: 1000, accepted: 20, duplicates: 980, errors: 0, errorKinds: {} });
    expect(settle?.settled).toBe(true);
    expect(settle?.stats).toEqual({
      charges: 20,
      receipts: 20,
      handlerRuns: 20,
      events: { received: 0, unrouted: 0, queued: 0, delivered: 20, failed: 0, dead: 0 },
      dlq: 0,
    });
    const view = await fetchEvent(stack.baseUrl, "stripe", "evt_storm-7");
    expect(view).toMatchObject({ status: "DELIVERED", destinations: { demo: { status: "DELIVERED", attempts: 1 } } });
  });

  test("accepts every local provider's signed webhooks, Keygen's included", async () => {
    for (const provider of ["github", "shopify", "standard", "keygen"] as const) {
      const { tally } = await runChaos(chaos({ eventId: `evt_${provider}`, provider, count: 3 }), {});
      expect(tally).toMatchObject({ accepted: 1, duplicates: 2, errors: 0 });
    }
    expect(await fetchStats(stack.baseUrl)).toMatchObject({ charges: 24, receipts: 24, handlerRuns: 24 });
  });

  test("has the demo consumer refuse a delivery the gateway did not sign, without running or claiming anything", async () => {
    const before = await fetchStats(stack.baseUrl);
    const forged = await postUnsignedDelivery(`${stack.baseUrl}/consumer/demo`);

    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ ok: false, error: "invalid_signature" });
    expect(await fetchStats(stack.baseUrl)).toEqual(before);
  });

  test("rejects a second stack on the same port with one line, leaving the first one's DynamoDB alone", async () => {
    const dynamoDbPid = readFileSync(join(stack.dataDir, "dynamodb.pid"), "utf8");
    const before = await fetchStats(stack.baseUrl);
    // Same port and same data directory: the port check must come before anything touches the directory.
    const second = await spawnStack({ port: stack.port, dataDir: stack.dataDir });

    expect((await second.exited).code).toBe(1);
    expect(second.stderr()).toBe(
      `oncegate: port ${stack.port} is already in use (is oncegate already running? stop it, or pass --port)\n`,
    );
    expect(second.stdout()).toBe("");
    expect(readFileSync(join(stack.dataDir, "dynamodb.pid"), "utf8")).toBe(dynamoDbPid);
    expect(await fetchStats(stack.baseUrl)).toEqual(before);
  });
});
