import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Webhook } from "standardwebhooks";
import { BODY_UNAVAILABLE_RECEIVES } from "../../../../lambdas/delivery/bodyUnavailable.ts";
import { encodeBody } from "../../../../lambdas/shared/body/bodyCodec.ts";
import { putBody } from "../../../../lambdas/shared/body/s3BodyStore.ts";
import { localBodyBucketAt } from "../../../../local/services/bodyBucket.ts";
import { newSigningSecret, queuedEvent, storedEvent, type TestEvent } from "../../../support/deliveryEvents.ts";
import {
  type DeliveryHarness,
  destination,
  harnessHandler,
  jobEvent,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { largeJsonBody } from "../../../support/largeBodies.ts";
import { respond, type ScriptedConsumer, startScriptedConsumer } from "../../../support/scriptedConsumer.ts";

let harness: DeliveryHarness;
let consumer: ScriptedConsumer;
let s3: S3Client;
let bucket: string;
beforeAll(async () => {
  harness = await startDeliveryHarness();
  consumer = await startScriptedConsumer();
  ({ s3, bodyBucket: bucket } = await localBodyBucketAt(harness.local.endpoint, "delivery-bodies"));
});
afterAll(async () => {
  s3.destroy();
  await consumer.close();
  await harness.stop();
});

/** An event whose body is in the bucket, as the intake leaves it: object first, then the state naming it. */
async function s3Event(body: string): Promise<TestEvent> {
  const payload = Buffer.from(body);
  const base = queuedEvent(["orders"], { provider: "github", payload });
  const ref = await putBody(s3, bucket, encodeBody(payload), { original: payload, expiresAtEpochSec: base.expiresAt });
  const event = { ...base, body: { kind: "s3" as const, ...ref } };
  const { payload: _bytes, ...state } = event;
  await harness.ddb.send(
    new PutItemCommand({ TableName: harness.eventsTable, Item: marshall(state, { removeUndefinedValues: true }) }),
  );
  return event;
}

function handlerFor(signingSecrets: string[]) {
  return harnessHandler(harness, "http://unused.invalid/queue", {
    config: { destinations: [destination("orders", consumer.url, { signingSecrets })], retryScheduleSeconds: [1, 1] },
    s3,
  });
}

describe("delivery of an S3 body", () => {
  test("streams a 1 MB body byte-exact with a Standard Webhooks signature that verifies", async () => {
    const body = largeJsonBody(1024 * 1024, 21);
    const event = await s3Event(body);
    const secret = newSigningSecret();
    const seen = consumer.requests.length;
    consumer.script(respond(200));
    expect(await handlerFor([secret])(jobEvent({ job: { pk: event.pk, destination: "orders" } }))).toEqual({
      batchItemFailures: [],
    });
    const request = consumer.requests[seen];
    if (request === undefined) throw new Error("no request");
    expect(request.body.equals(Buffer.from(body))).toBe(true);
    expect(request.headers["content-length"]).toBe(String(body.length));
    expect(() =>
      new Webhook(secret).verify(request.body.toString("utf8"), request.headers as Record<string, string>),
    ).not.toThrow();
    expect((await storedEvent(harness.ddb, harness.eventsTable, event.pk)).destinations.orders?.status).toBe(
      "DELIVERED",
    );
  });

  test("backs off a missing object without an attempt, then marks the destination DEAD body_unavailable", async () => {
    const event = await s3Event(largeJsonBody(20 * 1024, 22));
    if (event.body.kind !== "s3") throw new Error("not s3");
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: event.body.key }));
    const seen = consumer.requests.length;
    const handler = handlerFor([newSigningSecret()]);
    const job = { pk: event.pk, destination: "orders" };
    for (let receive = 1; receive < BODY_UNAVAILABLE_RECEIVES; receive++) {
      const result = await handler(jobEvent({ job, attempt: receive, messageId: "m-missing" }));
      expect(result.batchItemFailures).toHaveLength(1);
      expect((await storedEvent(harness.ddb, harness.eventsTable, event.pk)).destinations.orders).toMatchObject({
        status: "PENDING",
        attempts: 0,
      });
    }
    await handler(jobEvent({ job, attempt: BODY_UNAVAILABLE_RECEIVES, messageId: "m-missing" }));
    const stored = await storedEvent(harness.ddb, harness.eventsTable, event.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DEAD", attempts: 0, reason: "body_unavailable" });
    expect(stored.status).toBe("DEAD");
    expect(consumer.requests).toHaveLength(seen);
  });

  test("never POSTs an object whose bytes fail their SHA-256, and ends it DEAD body_unavailable", async () => {
    const event = await s3Event(largeJsonBody(20 * 1024, 23));
    if (event.body.kind !== "s3") throw new Error("not s3");
    const tampered = encodeBody(Buffer.from(largeJsonBody(20 * 1024, 24))).data;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: event.body.key, Body: tampered }));
    const seen = consumer.requests.length;
    const handler = handlerFor([newSigningSecret()]);
    const job = { pk: event.pk, destination: "orders" };
    for (let receive = 1; receive <= BODY_UNAVAILABLE_RECEIVES; receive++) {
      await handler(jobEvent({ job, attempt: receive, messageId: "m-tampered" }));
    }
    const stored = await storedEvent(harness.ddb, harness.eventsTable, event.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DEAD", reason: "body_unavailable" });
    expect(consumer.requests).toHaveLength(seen);
  });
});
