import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { eventPartitionKey, idempotencyKeyFor } from "../../../../lambdas/shared/eventKey.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { githubEventId, githubWebhook, stripeWebhook } from "../../../support/signedWebhooks.ts";
import { UNUSUAL_EVENT_IDS } from "../../../unit/lambdas/intake/signatures/signedRequests.ts";

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntakeHarness({
    providers: {
      stripe: { scheme: "stripe", secrets: [{ env: "TEST_STRIPE_SECRET" }] },
      "stripe-connect": { scheme: "stripe", secrets: [{ env: "TEST_STRIPE_SECRET" }] },
      github: { scheme: "github", secrets: [{ env: "TEST_GITHUB_SECRET" }] },
    },
    destinations: [
      { id: "primary", url: "https://primary.example.com/hooks", signingSecrets: [{ env: "TEST_DESTINATION_SECRET" }] },
      { id: "audit", url: "https://audit.example.com/hooks", signingSecrets: [{ env: "TEST_DESTINATION_SECRET" }] },
    ],
  });
});
afterAll(async () => {
  await h.stop();
});

const parse = (answer: { body: string }) => JSON.parse(answer.body);

describe("intake deduplication", () => {
  test("200 concurrent deliveries of one event: one item, one job per destination, one 202 and 199 duplicates", async () => {
    const eventId = `evt_${randomUUID()}`;
    const event = stripeWebhook({ secret: h.credentials.stripe, eventId, nowMs: h.clock.nowMs() });
    const handler = h.intake();
    const answers = await Promise.all(Array.from({ length: 200 }, () => handler(structuredClone(event))));

    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(199);
    const key = idempotencyKeyFor("stripe", eventId);
    for (const answer of answers.filter((a) => a.statusCode === 200)) {
      expect(parse(answer)).toEqual({ ok: true, duplicate: true, eventId, idempotencyKey: key });
    }
    const items = (await h.items()).filter((item) => item.eventId === eventId);
    expect(items).toHaveLength(1);
    expect(items[0]?.status).toBe("QUEUED");
    const jobs = await h.takeJobs();
    expect(jobs.sort((a, b) => a.destination.localeCompare(b.destination))).toEqual([
      { pk: eventPartitionKey("stripe", eventId), destination: "audit" },
      { pk: eventPartitionKey("stripe", eventId), destination: "primary" },
    ]);
  });

  test("a later duplicate of a queued event answers 200 and writes nothing", async () => {
    const deliveryId = randomUUID();
    const event = githubWebhook({ secret: h.credentials.github, deliveryId });
    expect((await h.intake()(event)).statusCode).toBe(202);
    const before = await h.item(eventPartitionKey("github", githubEventId(deliveryId)));
    await h.takeJobs();
    h.clock.advance(3_600_000);

    const again = await h.intake()(githubWebhook({ secret: h.credentials.github, deliveryId }));
    expect(again.statusCode).toBe(200);
    expect(parse(again)).toEqual({
      ok: true,
      duplicate: true,
      eventId: githubEventId(deliveryId),
      idempotencyKey: idempotencyKeyFor("github", githubEventId(deliveryId)),
    });
    expect(await h.item(eventPartitionKey("github", githubEventId(deliveryId)))).toEqual(before);
    expect(h.jobCount()).toBe(0);
  });

  // Each test file has its own table, so the shared ids need no suffix (which would change the 1 KB one).
  test.each(UNUSUAL_EVENT_IDS)("stores and deduplicates an event id with %s exactly", async (_label, id) => {
    // Stripe carries the id alone (GitHub's is composed with the hook id, so a 1 KB GUID would not fit).
    const nowMs = h.clock.nowMs();
    const first = await h.intake()(stripeWebhook({ secret: h.credentials.stripe, eventId: id, nowMs }));
    const second = await h.intake()(stripeWebhook({ secret: h.credentials.stripe, eventId: id, nowMs }));
    expect([first.statusCode, second.statusCode]).toEqual([202, 200]);
    expect(parse(first).eventId).toBe(id);
    const item = await h.item(eventPartitionKey("stripe", id));
    expect(item?.eventId).toBe(id);
    expect(item?.idempotencyKey).toBe(idempotencyKeyFor("stripe", id));
    expect(await h.takeJobs()).toHaveLength(2);
  });

  test("accepts one GitHub delivery GUID sent to three hooks as three events; a redelivery of one is a duplicate", async () => {
    const deliveryId = randomUUID();
    const hooks = ["101", "202", "303"];
    const answers = [];
    for (const hookId of hooks) {
      answers.push(await h.intake()(githubWebhook({ secret: h.credentials.github, deliveryId, hookId })));
    }
    expect(answers.map((answer) => answer.statusCode)).toEqual([202, 202, 202]);
    const keys = answers.map((answer) => parse(answer).idempotencyKey);
    expect(new Set(keys).size).toBe(3);
    for (const hookId of hooks) {
      const item = await h.item(eventPartitionKey("github", githubEventId(deliveryId, hookId)));
      expect(item).toMatchObject({ status: "QUEUED", attributes: { hookId, delivery: deliveryId } });
    }
    expect(await h.takeJobs()).toHaveLength(6);
    const redelivery = await h.intake()(githubWebhook({ secret: h.credentials.github, deliveryId, hookId: "202" }));
    expect(redelivery.statusCode).toBe(200);
    expect(parse(redelivery)).toMatchObject({ duplicate: true, idempotencyKey: keys[1] });
    expect(h.jobCount()).toBe(0);
  });

  test("the same event id from two providers gives two items with different keys", async () => {
    const eventId = `evt_${randomUUID()}#/é`;
    const now = h.clock.nowMs();
    const secret = h.credentials.stripe;
    const a = await h.intake()(stripeWebhook({ secret, eventId, nowMs: now }));
    const b = await h.intake()(stripeWebhook({ provider: "stripe-connect", secret, eventId, nowMs: now }));
    expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
    expect(parse(a).idempotencyKey).not.toBe(parse(b).idempotencyKey);
    const items = (await h.items()).filter((item) => item.eventId === eventId);
    expect(items.map((item) => item.provider).sort()).toEqual(["stripe", "stripe-connect"]);
    expect(await h.takeJobs()).toHaveLength(4);
  });

  test("rejects an event id longer than 1 KB with 400 invalid_event_id and stores nothing", async () => {
    const deliveryId = "x".repeat(1025);
    const answer = await h.intake()(githubWebhook({ secret: h.credentials.github, deliveryId }));
    expect(answer.statusCode).toBe(400);
    expect(parse(answer)).toMatchObject({ ok: false, error: "invalid_event_id" });
    expect((await h.items()).some((item) => item.eventId === deliveryId)).toBe(false);
    expect(h.jobCount()).toBe(0);
  });
});
