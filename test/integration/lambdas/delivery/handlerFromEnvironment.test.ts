import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { Webhook } from "standardwebhooks";
import { deliveryHandlerFromEnvironment, handler } from "../../../../lambdas/delivery/handler.ts";
import { ENV } from "../../../../lambdas/shared/environment.ts";
import { InvalidConfigurationError, SecretUnavailableError } from "../../../../lambdas/shared/errors.ts";
import type { GatewayConfig } from "../../../../lambdas/shared/gatewayConfig.ts";
import { newSigningSecret, putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import {
  createDeliveryQueue,
  type DeliveryHarness,
  jobEvent,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { respond, type ScriptedConsumer, startScriptedConsumer } from "../../../support/scriptedConsumer.ts";

const SECRET_ENV = "TEST_DELIVERY_SIGNING_SECRET";

let harness: DeliveryHarness;
let consumer: ScriptedConsumer;
let queueUrl: string;
const secret = newSigningSecret();
beforeAll(async () => {
  harness = await startDeliveryHarness();
  consumer = await startScriptedConsumer(respond(200));
  queueUrl = (await createDeliveryQueue(harness, 3)).queueUrl;
});
afterAll(async () => {
  await consumer.close();
  await harness.stop();
});

function gatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    providers: { stripe: { scheme: "stripe", secrets: [{ env: "TEST_STRIPE_SECRET" }] } },
    destinations: [{ id: "orders", url: consumer.url, signingSecrets: [{ env: SECRET_ENV }], timeoutMs: 2_000 }],
    ...overrides,
  };
}

function environment(config: unknown = gatewayConfig()): Record<string, string> {
  return {
    [ENV.config]: JSON.stringify(config),
    [ENV.eventsTable]: harness.eventsTable,
    [ENV.deliveryQueueUrl]: queueUrl,
    [ENV.bodyBucket]: "oncegate-bodies",
    [ENV.retrySchedule]: "1,2",
    [SECRET_ENV]: secret,
    TEST_STRIPE_SECRET: "whsec_c3RyaXBl",
  };
}

describe("deliveryHandlerFromEnvironment", () => {
  test("builds a handler that signs with the secret the configuration references", async () => {
    const deliver = await deliveryHandlerFromEnvironment(environment(), {
      ddb: harness.ddb,
      sqs: harness.local.sqs,
      logger: () => {},
    });
    const item = queuedEvent(["orders"]);
    await putEvent(harness.ddb, harness.eventsTable, item);
    const seen = consumer.requests.length;
    expect(await deliver(jobEvent({ job: { pk: item.pk, destination: "orders" } }))).toEqual({ batchItemFailures: [] });
    const request = consumer.requests[seen];
    expect(() => new Webhook(secret).verify(request?.body ?? "", request?.headers ?? {})).not.toThrow();
    expect((await storedEvent(harness.ddb, harness.eventsTable, item.pk)).status).toBe("DELIVERED");
  });

  test("fails at cold start on an invalid configuration, naming the field", async () => {
    const config = gatewayConfig({
      destinations: [{ id: "orders", url: "ftp://x", signingSecrets: [{ env: SECRET_ENV }] }],
    });
    await expect(deliveryHandlerFromEnvironment(environment(config))).rejects.toThrow(InvalidConfigurationError);
    await expect(deliveryHandlerFromEnvironment(environment(config))).rejects.toThrow("destinations[0].url");
  });

  test("fails at cold start when a signing secret cannot be read, without its value", async () => {
    const env = { ...environment(), [SECRET_ENV]: "" };
    await expect(deliveryHandlerFromEnvironment(env)).rejects.toThrow(SecretUnavailableError);
  });
});

describe("handler", () => {
  test("fails the whole batch while the environment is invalid, then builds again once it is fixed", async () => {
    const saved = { ...process.env };
    // The default logger writes JSON lines to stdout, a delivered job's with console.info (its level); keep them out
    // of the test output.
    const log = jest.spyOn(console, "info").mockImplementation(() => {});
    try {
      Object.assign(process.env, environment(), { [ENV.config]: "{not json" });
      await expect(handler(jobEvent({ job: { pk: "stripe#evt_x", destination: "orders" } }))).rejects.toThrow(
        ENV.config,
      );

      const item = queuedEvent(["orders"]);
      await putEvent(harness.ddb, harness.eventsTable, item);
      // The SDK's standard endpoint variables point the default clients at the local DynamoDB and SQS.
      Object.assign(process.env, environment(), { AWS_ENDPOINT_URL_SQS: harness.local.endpoint });
      expect(await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }))).toEqual({
        batchItemFailures: [],
      });
      expect((await storedEvent(harness.ddb, harness.eventsTable, item.pk)).status).toBe("DELIVERED");
      expect(log).toHaveBeenCalledWith(expect.stringContaining('"outcome":"delivered"'));
    } finally {
      process.env = saved;
      log.mockRestore();
    }
  });
});
