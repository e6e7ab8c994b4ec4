import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import {
  githubWebhook,
  httpApiEvent,
  keygenWebhook,
  standardWebhook,
  stripeWebhook,
} from "../../../support/signedWebhooks.ts";

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntakeHarness({ maxBodyBytes: 1024 });
});
afterAll(async () => {
  await h.stop();
});

const FIVE_MINUTES_AND_A_SECOND = 301_000;

const rejections: [string, number, string, () => APIGatewayProxyEventV2][] = [
  [
    "an unknown provider",
    404,
    "unknown_provider",
    () => githubWebhook({ provider: "gitlab", secret: "x", deliveryId: "d" }),
  ],
  [
    "a provider named like an Object.prototype property",
    404,
    "unknown_provider",
    () => githubWebhook({ provider: "constructor", secret: "x", deliveryId: "d" }),
  ],
  [
    "a path with no provider",
    404,
    "unknown_provider",
    () => ({ ...httpApiEvent({ provider: "", body: "{}", rawPath: "/" }), pathParameters: undefined }),
  ],
  [
    "a body over maxBodyBytes",
    413,
    "payload_too_large",
    () => githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID(), body: "x".repeat(1025) }),
  ],
  [
    "a base64 body decoding to over maxBodyBytes",
    413,
    "payload_too_large",
    () =>
      githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID(), body: Buffer.alloc(1025), base64: true }),
  ],
  ["a GET", 405, "method_not_allowed", () => ({ ...httpApiEvent({ provider: "github", body: "", method: "GET" }) })],
  [
    "a wrong signature",
    401,
    "invalid_signature",
    () => githubWebhook({ secret: "not-the-secret", deliveryId: randomUUID() }),
  ],
  ["no signature at all", 401, "invalid_signature", () => httpApiEvent({ provider: "stripe", body: '{"id":"evt_1"}' })],
  [
    "a stale Stripe timestamp",
    401,
    "stale_timestamp",
    () =>
      stripeWebhook({
        secret: h.credentials.stripe,
        eventId: "evt_old",
        nowMs: h.clock.nowMs() - FIVE_MINUTES_AND_A_SECOND,
      }),
  ],
  [
    "a stale Standard Webhooks timestamp",
    401,
    "stale_timestamp",
    () =>
      standardWebhook({
        secret: h.credentials.standard,
        messageId: "m",
        nowMs: h.clock.nowMs() - FIVE_MINUTES_AND_A_SECOND,
      }),
  ],
  [
    "a Keygen webhook signed for another host",
    401,
    "invalid_signature",
    () =>
      keygenWebhook({
        privateKey: h.credentials.keygen.privateKey,
        idempotencyToken: "t",
        nowMs: h.clock.nowMs(),
        provider: "keygen",
        headers: { host: "evil.example.com" },
      }),
  ],
  [
    "a signed GitHub delivery without x-github-delivery",
    400,
    "missing_event_id",
    () => githubWebhook({ secret: h.credentials.github, deliveryId: "" }),
  ],
  [
    "a signed GitHub delivery without x-github-hook-id",
    400,
    "missing_hook_id",
    () => {
      const event = githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID() });
      const { "x-github-hook-id": _hook, ...headers } = event.headers ?? {};
      return { ...event, headers };
    },
  ],
  [
    "a signed Stripe body without an id",
    400,
    "missing_event_id",
    () =>
      stripeWebhook({ secret: h.credentials.stripe, eventId: "", nowMs: h.clock.nowMs(), body: '{"object":"event"}' }),
  ],
  [
    "a signed Stripe body that is not JSON",
    400,
    "malformed_payload",
    () => stripeWebhook({ secret: h.credentials.stripe, eventId: "", nowMs: h.clock.nowMs(), body: "id=evt_1" }),
  ],
  ["an unsigned source without an id", 400, "missing_event_id", () => httpApiEvent({ provider: "open", body: "{}" })],
];

describe("intake rejections", () => {
  test.each(rejections)("rejects %s with %i %s, writing and enqueuing nothing", async (_label, status, code, event) => {
    const itemsBefore = (await h.items()).length;
    const answer = await h.intake()(event());
    expect(answer.statusCode).toBe(status);
    expect(answer.headers["Content-Type"]).toBe("application/json");
    expect(JSON.parse(answer.body)).toEqual({ ok: false, error: code, message: expect.any(String) });
    expect(await h.items()).toHaveLength(itemsBefore);
    expect(h.jobCount()).toBe(0);
    expect(h.logs.at(-1)).toMatchObject({ outcome: "rejected", status, error: code });
  });

  test("answers 405 with an Allow header", async () => {
    const answer = await h.intake()(httpApiEvent({ provider: "github", body: "", method: "PUT" }));
    expect(answer.headers.Allow).toBe("POST");
  });

  test("never puts the signature, the body or a secret in its messages or logs", async () => {
    const body = JSON.stringify({ id: "evt_private", card: "4242424242424242" });
    await h.intake()(stripeWebhook({ secret: "whsec_wrong", eventId: "evt_private", nowMs: h.clock.nowMs(), body }));
    const logged = JSON.stringify(h.logs);
    expect(logged).not.toContain("4242424242424242");
    expect(logged).not.toContain(h.credentials.stripe);
    expect(logged).not.toMatch(/v1=[0-9a-f]{64}/);
  });
});
