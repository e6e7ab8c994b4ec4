import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Webhook } from "standardwebhooks";
import { verifyStandard } from "../../../../lambdas/intake/signatures/standard.ts";
import { newSigningSecret, putEvent, queuedEvent, type TestEvent } from "../../../support/deliveryEvents.ts";
import {
  type DeliveryHarness,
  destination,
  harnessHandler,
  jobEvent,
  startDeliveryHarness,
} from "../../../support/deliveryHarness.ts";
import { respond, type ScriptedConsumer, startScriptedConsumer } from "../../../support/scriptedConsumer.ts";

let harness: DeliveryHarness;
let consumer: ScriptedConsumer;
beforeAll(async () => {
  harness = await startDeliveryHarness();
  consumer = await startScriptedConsumer();
});
afterAll(async () => {
  await consumer.close();
  await harness.stop();
});

/** Delivers a stored event once (attempt 1, answered 200) and returns the request the consumer received. */
async function deliver(item: TestEvent, signingSecrets = [newSigningSecret()]) {
  await putEvent(harness.ddb, harness.eventsTable, item);
  const handler = harnessHandler(harness, "http://unused.invalid/queue", {
    config: { destinations: [destination("orders", consumer.url, { signingSecrets })], retryScheduleSeconds: [1] },
  });
  const seen = consumer.requests.length;
  const result = await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
  expect(result).toEqual({ batchItemFailures: [] });
  expect(consumer.requests).toHaveLength(seen + 1);
  const request = consumer.requests[seen];
  if (request === undefined) throw new Error("no request");
  return request;
}

describe("the outbound request", () => {
  test("POSTs the stored payload bytes with the stable key and Oncegate's headers", async () => {
    const item = queuedEvent(["orders"], { provider: "github", eventId: "delivery-72d3162e" });
    const request = await deliver(item);
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/hooks");
    expect(request.body.equals(Buffer.from(item.payload))).toBe(true);
    expect(request.headers).toMatchObject({
      "content-type": "application/json",
      "idempotency-key": item.idempotencyKey,
      "webhook-id": item.idempotencyKey,
      "oncegate-provider": "github",
      "oncegate-event-id": "delivery-72d3162e",
      "oncegate-attempt": "1",
      "oncegate-attempt-trigger": "initial",
      "user-agent": "Oncegate/0.1.0",
    });
    expect(Number(request.headers["webhook-timestamp"])).toBeCloseTo(Date.now() / 1000, -1);
  });

  test("keeps the provider's content type, and sends non-UTF-8 bytes untouched", async () => {
    const payload = new Uint8Array([0x66, 0x6f, 0x80, 0xff, 0x00, 0x3d]);
    const request = await deliver(
      queuedEvent(["orders"], { payload, contentType: "application/x-www-form-urlencoded" }),
    );
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(request.body.equals(Buffer.from(payload))).toBe(true);
  });

  test("sends application/json when the provider sent no content type", async () => {
    const request = await deliver(queuedEvent(["orders"], { contentType: undefined }));
    expect(request.headers["content-type"]).toBe("application/json");
  });

  test.each([
    ["a character above U+00FF", "application/json; charset=☃"],
    ["a control character", "text/plain\u0001"],
  ])("delivers an event stored with a Content-Type holding %s, sending the default instead", async (_case, bad) => {
    consumer.script(respond(200));
    const request = await deliver(queuedEvent(["orders"], { contentType: bad }));
    expect(request.headers["content-type"]).toBe("application/json");
  });

  test("percent-encodes an event id that is not a valid header value, so that decoding gives it back", async () => {
    const eventId = "évt 1/2%\u{1F600}";
    const request = await deliver(queuedEvent(["orders"], { eventId }));
    expect(request.headers["oncegate-event-id"]).toMatch(/^[\x21-\x7e]+$/);
    expect(decodeURIComponent(request.headers["oncegate-event-id"] ?? "")).toBe(eventId);
  });
});

describe("the Standard Webhooks signature", () => {
  test("verifies with the official standardwebhooks package", async () => {
    const secret = newSigningSecret();
    const item = queuedEvent(["orders"]);
    const request = await deliver(item, [secret]);
    expect(request.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(new Webhook(secret).verify(request.body, request.headers)).toEqual(JSON.parse(request.body.toString()));
  });

  test("signs with every secret during a rotation, so the consumer verifies with either", async () => {
    const [previous, next] = [newSigningSecret(), newSigningSecret()];
    const request = await deliver(queuedEvent(["orders"]), [next, previous]);
    expect(request.headers["webhook-signature"]?.split(" ")).toHaveLength(2);
    for (const secret of [previous, next]) {
      expect(() => new Webhook(secret).verify(request.body, request.headers)).not.toThrow();
    }
    expect(() => new Webhook(newSigningSecret()).verify(request.body, request.headers)).toThrow();
  });

  test("verifies a non-ASCII UTF-8 payload with the official package", async () => {
    const secret = newSigningSecret();
    const payload = new TextEncoder().encode(JSON.stringify({ customer: "Zoë Ångström 🎉" }));
    const request = await deliver(queuedEvent(["orders"], { payload }), [secret]);
    expect(new Webhook(secret).verify(request.body, request.headers)).toEqual({ customer: "Zoë Ångström 🎉" });
  });

  // The official JavaScript package turns a Buffer into a UTF-8 string before hashing, so it cannot verify bytes
  // that are not UTF-8; the signature covers the exact bytes, as the specification says, and verifies as such.
  test("signs a non-UTF-8 payload over its exact bytes", async () => {
    const secret = newSigningSecret();
    const payload = new Uint8Array([0x7b, 0x80, 0xfe, 0x7d]);
    const request = await deliver(queuedEvent(["orders"], { payload, contentType: "application/octet-stream" }), [
      secret,
    ]);
    const verified = verifyStandard(
      { headers: request.headers, rawBody: request.body, method: "POST", rawPath: "/hooks" },
      { secrets: [secret] },
      Date.now(),
    );
    expect(verified).toMatchObject({ ok: true });
  });

  test("POSTs a body stored gzip-compressed byte for byte, and signs the original bytes", async () => {
    const secret = newSigningSecret();
    const lines = Array.from({ length: 400 }, (_, n) => ({ id: `il_${n}`, amount: n * 100, currency: "eur" }));
    const payload = new TextEncoder().encode(JSON.stringify({ id: "evt_big", lines }));
    const item = queuedEvent(["orders"], { payload });
    expect(item.body.encoding).toBe("gzip");
    const request = await deliver(item, [secret]);
    expect(request.body.equals(Buffer.from(payload))).toBe(true);
    expect(new Webhook(secret).verify(request.body, request.headers)).toMatchObject({ id: "evt_big" });
  });
});
