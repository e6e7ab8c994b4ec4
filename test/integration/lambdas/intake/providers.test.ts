import { createHmac, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { eventPartitionKey, idempotencyKeyFor } from "../../../../lambdas/shared/eventKey.ts";
import { GENERIC_SIGNATURE_HEADER } from "../../../support/gatewayFixtures.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import {
  genericWebhook,
  githubEventId,
  githubWebhook,
  httpApiEvent,
  keygenWebhook,
  shopifyWebhook,
  standardWebhook,
  stripeWebhook,
} from "../../../support/signedWebhooks.ts";

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntakeHarness();
});
afterAll(async () => {
  await h.stop();
});

const body = (answer: { body: string }) => JSON.parse(answer.body);

describe("intake, every provider scheme end to end", () => {
  const cases = () => {
    const now = h.clock.nowMs();
    const c = h.credentials;
    return [
      ["stripe", "evt_1", stripeWebhook({ secret: c.stripe, eventId: "evt_1", nowMs: now })],
      ["github", githubEventId("d-1"), githubWebhook({ secret: c.github, deliveryId: "d-1" })],
      ["shopify", "w-1", shopifyWebhook({ secret: c.shopify, webhookId: "w-1" })],
      ["standard", "msg_1", standardWebhook({ secret: c.standard, messageId: "msg_1", nowMs: now })],
      ["keygen", "tok-1", keygenWebhook({ privateKey: c.keygen.privateKey, idempotencyToken: "tok-1", nowMs: now })],
      [
        "generic",
        "g-1",
        genericWebhook({ eventId: "g-1", signature: { header: GENERIC_SIGNATURE_HEADER, secret: c.generic } }),
      ],
      ["open", "o-1", genericWebhook({ provider: "open", body: JSON.stringify({ id: "o-1" }) })],
    ] as const;
  };

  test("accepts a correctly signed webhook of each scheme, stores it RECEIVED→QUEUED and enqueues its jobs", async () => {
    const handler = h.intake();
    for (const [provider, eventId, event] of cases()) {
      const answer = await handler(event);
      expect({ provider, status: answer.statusCode }).toEqual({ provider, status: 202 });
      expect(body(answer)).toEqual({
        ok: true,
        eventId,
        idempotencyKey: idempotencyKeyFor(provider, eventId),
        duplicate: false,
      });
      const pk = eventPartitionKey(provider, eventId);
      const item = await h.item(pk);
      const bytes = Buffer.byteLength(event.body ?? "");
      expect(item).toMatchObject({ provider, eventId, status: "QUEUED", version: 0, body: { kind: "inline", bytes } });
      // The state holds no body: the signed bytes are the body item's, written once.
      expect(item).not.toHaveProperty("payload");
      expect(Buffer.from((await h.body(pk)) ?? []).toString("utf8")).toBe(event.body);
      const expected = provider === "stripe" || provider === "github" ? ["primary", "audit"] : ["primary"];
      expect(item?.destinationIds).toEqual(expected);
      expect((await h.takeJobs()).map((job) => job.destination).sort()).toEqual([...expected].sort());
    }
  });

  test("keeps content-type, user-agent and the event type header, never a signature header", async () => {
    const deliveryId = randomUUID();
    await h.intake()(githubWebhook({ secret: h.credentials.github, deliveryId, eventType: "issues" }));
    const item = await h.item(eventPartitionKey("github", githubEventId(deliveryId)));
    expect(item?.headers).toEqual({
      "content-type": "application/json",
      "user-agent": "webhook-sender/1.0",
      "x-github-event": "issues",
    });
    // The type with the payload's action, as destinations' filters match it (`pull_request` matches by name too).
    expect(item?.attributes).toEqual({ eventType: "issues.opened", hookId: "1", delivery: deliveryId });
    expect(item?.contentType).toBe("application/json");
    await h.takeJobs();
  });

  test("verifies base64-encoded bodies on their raw bytes, and stores those bytes", async () => {
    // Not valid UTF-8: any text round trip would change the bytes and break the signature.
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b, 0xc3, 0x28, 0x0a]);
    const eventId = randomUUID();
    const secret = h.credentials.generic;
    const event = genericWebhook({
      eventId,
      body: raw,
      base64: true,
      headers: { "content-type": "application/octet-stream" },
      signature: { header: GENERIC_SIGNATURE_HEADER, secret },
    });
    expect((await h.intake()(event)).statusCode).toBe(202);
    const item = await h.item(eventPartitionKey("generic", eventId));
    expect(Buffer.from((await h.body(eventPartitionKey("generic", eventId))) ?? []).equals(raw)).toBe(true);
    expect(item?.contentType).toBe("application/octet-stream");

    const github = githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID(), body: raw, base64: true });
    expect((await h.intake()(github)).statusCode).toBe(202);
    await h.takeJobs();
  });

  test("rejects a base64 body whose signature was made over its base64 text", async () => {
    const raw = Buffer.from([0xff, 0x00, 0x01]);
    const wrong = createHmac("sha256", h.credentials.generic).update(raw.toString("base64")).digest("hex");
    const event = httpApiEvent({
      provider: "generic",
      body: raw,
      base64: true,
      headers: { "idempotency-key": randomUUID(), [GENERIC_SIGNATURE_HEADER]: wrong },
    });
    expect((await h.intake()(event)).statusCode).toBe(401);
  });

  test("takes the provider from the last segment of rawPath when the route has no path parameter", async () => {
    const event = githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID() });
    delete event.pathParameters;
    expect((await h.intake()(event)).statusCode).toBe(202);
    await h.takeJobs();
  });

  test("accepts a Keygen webhook to an endpoint URL with a query string: Keygen signs the path with its query", async () => {
    const c = h.credentials;
    const now = h.clock.nowMs();
    const idempotencyToken = randomUUID();
    const event = keygenWebhook({
      privateKey: c.keygen.privateKey,
      idempotencyToken,
      nowMs: now,
      query: "tenant=acme",
    });
    expect((await h.intake()(event)).statusCode).toBe(202);
    await h.takeJobs();
  });

  test("rejects a Keygen signature over the bare path when the request came with a query string", async () => {
    const c = h.credentials;
    const now = h.clock.nowMs();
    const event = keygenWebhook({
      privateKey: c.keygen.privateKey,
      idempotencyToken: randomUUID(),
      nowMs: now,
      query: "tenant=acme",
      signedTarget: "/webhooks/keygen",
    });
    expect((await h.intake()(event)).statusCode).toBe(401);
  });

  test("drops a Content-Type no HTTP request could carry, notes it on the event, and still accepts the event", async () => {
    const deliveryId = randomUUID();
    const event = githubWebhook({
      secret: h.credentials.github,
      deliveryId,
      headers: { "content-type": "application/json; charset=☃" },
    });
    expect((await h.intake()(event)).statusCode).toBe(202);
    const item = await h.item(eventPartitionKey("github", githubEventId(deliveryId)));
    expect(item?.contentType).toBeUndefined();
    expect(item?.headers).not.toHaveProperty("content-type");
    expect(item?.droppedHeaders).toEqual(["content-type"]);
    await h.takeJobs();
  });
});
