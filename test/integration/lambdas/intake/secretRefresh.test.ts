import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { parseGatewayConfig } from "../../../../lambdas/shared/parseGatewayConfig.ts";
import { createSecretResolver } from "../../../../lambdas/shared/secrets.ts";
import { allProvidersConfig } from "../../../support/gatewayFixtures.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { stripeWebhook } from "../../../support/signedWebhooks.ts";

// The deploy guide's order for Stripe: the gateway is deployed with a generated placeholder secret, the endpoint is
// created in Stripe, and its whsec_ is put into Secrets Manager afterwards. The intake must accept the very next
// correctly signed webhook without a redeploy or a cold start. Secrets Manager has no emulator here: mocked.
const ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:oncegate-stripe-AbCdEf";
let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntakeHarness();
});
afterAll(() => h.stop());

function secretsManagerHolding(values: string[]) {
  const client = new SecretsManagerClient({ region: "eu-west-1" });
  const mock = mockClient(client);
  const reads = { count: 0 };
  mock.on(GetSecretValueCommand).callsFake(async () => {
    const value = values[Math.min(reads.count, values.length - 1)];
    reads.count += 1;
    return { SecretString: value };
  });
  return { client, reads, restore: () => mock.restore() };
}

describe("a provider secret put after the deploy", () => {
  test("is read again at once after a signature fails, and the webhook signed with it is accepted", async () => {
    const real = "whsec_real_endpoint_secret";
    const store = secretsManagerHolding(["generated-placeholder", real]);
    const base = allProvidersConfig();
    const config = parseGatewayConfig({
      ...base,
      providers: { ...base.providers, stripe: { scheme: "stripe", secrets: [{ secretArn: ARN }] } },
    });
    const intake = h.intake({
      config,
      secrets: createSecretResolver({ env: h.env, secretsManager: store.client, clock: h.clock }),
    });
    const webhook = (eventId: string, secret = real) => stripeWebhook({ secret, eventId, nowMs: h.clock.nowMs() });

    const first = await intake(webhook("evt_after_put_1"));
    expect(first.statusCode).toBe(202);
    expect(store.reads.count).toBe(2);

    // A forged flood does not become a GetSecretValue flood: one re-read a minute at most.
    for (let i = 0; i < 5; i++) expect((await intake(webhook(`evt_forged_${i}`, "whsec_wrong"))).statusCode).toBe(401);
    expect(store.reads.count).toBe(2);
    h.clock.advance(59_000);
    expect((await intake(webhook("evt_forged_late", "whsec_wrong"))).statusCode).toBe(401);
    expect(store.reads.count).toBe(2);
    h.clock.advance(1_000);
    expect((await intake(webhook("evt_forged_later", "whsec_wrong"))).statusCode).toBe(401);
    expect(store.reads.count).toBe(3);
    expect((await intake(webhook("evt_after_put_2"))).statusCode).toBe(202);
    store.restore();
  });
});
