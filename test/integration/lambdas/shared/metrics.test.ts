import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { GatewayMetric } from "../../../../lambdas/shared/metrics.ts";
import { putEvent, queuedEvent } from "../../../support/deliveryEvents.ts";
import {
  createDeliveryQueue,
  type DeliveryHarness,
  destination,
  harnessHandler,
  jobEvent,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import {
  inSequence,
  respond,
  type ScriptedConsumer,
  startScriptedConsumer,
} from "../../../support/scriptedConsumer.ts";
import { githubWebhook } from "../../../support/signedWebhooks.ts";

let intake: IntakeHarness;
let delivery: DeliveryHarness;
let consumer: ScriptedConsumer;
beforeAll(async () => {
  intake = await startIntakeHarness();
  delivery = await startDeliveryHarness();
  consumer = await startScriptedConsumer();
});
afterAll(async () => {
  await consumer.close();
  await delivery.stop();
  await intake.stop();
});

describe("the dashboard's counts", () => {
  test("the intake counts Accepted once per event and Duplicate per repeat, nothing for a refusal", async () => {
    const counted: GatewayMetric[] = [];
    const handler = intake.intake({ countMetric: (metric) => counted.push(metric) });
    const deliveryId = randomUUID();
    expect((await handler(githubWebhook({ secret: intake.credentials.github, deliveryId }))).statusCode).toBe(202);
    expect((await handler(githubWebhook({ secret: intake.credentials.github, deliveryId }))).statusCode).toBe(200);
    expect((await handler(githubWebhook({ secret: "not-the-secret", deliveryId: randomUUID() }))).statusCode).toBe(401);
    expect(counted).toEqual(["Accepted", "Duplicate"]);
  });

  test("the delivery counts Delivered, Failed and Dead, and nothing for a retry", async () => {
    const counted: GatewayMetric[] = [];
    const queueUrl = (await createDeliveryQueue(delivery, 2)).queueUrl;
    const handler = harnessHandler(delivery, queueUrl, {
      config: { destinations: [destination("orders", consumer.url)], retryScheduleSeconds: [1] },
      countMetric: (metric) => counted.push(metric),
    });
    // Attempts are counted in the event: `attempt` is the one the stored state makes next.
    const send = async (attempt: number) => {
      const item = queuedEvent(["orders"], {
        destinations: { orders: { status: "PENDING", attempts: attempt - 1 } },
      });
      await putEvent(delivery.ddb, delivery.eventsTable, item);
      await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    };
    consumer.script(inSequence(respond(200), respond(400), respond(503), respond(503)));
    await send(1); // 200: delivered
    await send(1); // 400: failed for good
    await send(1); // 503 on the first of two attempts: retried, not counted
    await send(2); // 503 on the last attempt: dead
    expect(counted).toEqual(["Delivered", "Failed", "Dead"]);
  });
});

describe("the alarms' counts", () => {
  test("the intake counts each refusal by its reason, and nothing for an accepted event", async () => {
    const rejected: string[] = [];
    const handler = intake.intake({ countRejected: (reason) => rejected.push(reason) });
    expect(
      (await handler(githubWebhook({ secret: intake.credentials.github, deliveryId: randomUUID() }))).statusCode,
    ).toBe(202);
    expect((await handler(githubWebhook({ secret: "not-the-secret", deliveryId: randomUUID() }))).statusCode).toBe(401);
    const unknown = githubWebhook({ secret: intake.credentials.github, deliveryId: randomUUID() });
    expect(
      (await handler({ ...unknown, rawPath: "/webhooks/nobody", pathParameters: { provider: "nobody" } })).statusCode,
    ).toBe(404);
    expect(rejected).toEqual(["invalid_signature", "unknown_provider"]);
  });

  test("the delivery counts each retry under its destination, and nothing for a delivery", async () => {
    const retried: string[] = [];
    const queueUrl = (await createDeliveryQueue(delivery, 3)).queueUrl;
    const handler = harnessHandler(delivery, queueUrl, {
      config: {
        destinations: [destination("orders", consumer.url), destination("billing", consumer.url)],
        retryScheduleSeconds: [1, 1],
      },
      countRetried: (destinationId) => retried.push(destinationId),
    });
    const send = async (to: string) => {
      const item = queuedEvent(["orders", "billing"]);
      await putEvent(delivery.ddb, delivery.eventsTable, item);
      await handler(jobEvent({ job: { pk: item.pk, destination: to }, attempt: 1 }));
    };
    consumer.script(inSequence(respond(503), respond(200), respond(503)));
    await send("orders"); // 503: retried
    await send("orders"); // 200: delivered, not counted here
    await send("billing"); // 503: retried
    expect(retried).toEqual(["orders", "billing"]);
  });
});
