import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { SECRET_ENV } from "../../../support/gatewayFixtures.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { githubWebhook, shopifyWebhook } from "../../../support/signedWebhooks.ts";

const WINDOW_SECONDS = 300;

let h: IntakeHarness;
beforeAll(async () => {
  const env = (name: string) => [{ env: name }];
  h = await startIntakeHarness({
    providers: {
      github: { scheme: "github", secrets: env(SECRET_ENV.github), replayWindowSeconds: WINDOW_SECONDS },
      shopify: { scheme: "shopify", secrets: env(SECRET_ENV.shopify), replayWindowSeconds: WINDOW_SECONDS },
      // The same scheme without the opt-in: what SECURITY.md must say about it.
      "github-plain": { scheme: "github", secrets: env(SECRET_ENV.github) },
    },
    destinations: [{ id: "primary", url: "http://127.0.0.1:9/primary", signingSecrets: env(SECRET_ENV.destination) }],
  });
});
afterAll(async () => {
  await h.stop();
});

const parse = (answer: { body: string }) => JSON.parse(answer.body);
const body = () => JSON.stringify({ action: "opened", number: 7, nonce: randomUUID() });

/** The captured request re-sent with a fresh id in the unsigned header: the signature still verifies. */
function underNewId<T extends { headers?: Record<string, string | undefined> }>(event: T, header: string): T {
  return { ...event, headers: { ...event.headers, [header]: randomUUID() } };
}

describe("replayWindowSeconds: a signed body re-sent under a fresh id", () => {
  test("without the opt-in, is accepted as a new event (the id header is not signed)", async () => {
    const captured = githubWebhook({
      provider: "github-plain",
      secret: h.credentials.github,
      deliveryId: randomUUID(),
      body: body(),
    });
    expect((await h.intake()(captured)).statusCode).toBe(202);
    expect((await h.intake()(underNewId(captured, "x-github-delivery"))).statusCode).toBe(202);
    await h.takeJobs();
  });

  test("with the opt-in, is refused 409 replayed_body and nothing else is written; the provider's retry passes", async () => {
    const captured = githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID(), body: body() });
    expect((await h.intake()(captured)).statusCode).toBe(202);
    const itemsBefore = (await h.items()).length;
    await h.takeJobs();

    const replayed = await h.intake()(underNewId(captured, "x-github-delivery"));
    expect(replayed.statusCode).toBe(409);
    expect(parse(replayed)).toMatchObject({ ok: false, error: "replayed_body" });
    expect((await h.items()).length).toBe(itemsBefore);
    expect(h.jobCount()).toBe(0);
    expect(h.logs.at(-1)).toMatchObject({ outcome: "rejected", error: "replayed_body", status: 409 });

    // The same bytes under the same id are the provider's retry: a duplicate, as always.
    const retry = await h.intake()(captured);
    expect(retry.statusCode).toBe(200);
    expect(parse(retry)).toMatchObject({ duplicate: true });
  });

  test("with the opt-in, refuses a Shopify body under a new x-shopify-webhook-id too", async () => {
    const captured = shopifyWebhook({ secret: h.credentials.shopify, webhookId: randomUUID(), body: body() });
    expect((await h.intake()(captured)).statusCode).toBe(202);
    expect((await h.intake()(underNewId(captured, "x-shopify-webhook-id"))).statusCode).toBe(409);
    await h.takeJobs();
  });

  test("accepts the same bytes under a new id once the window has passed", async () => {
    const captured = githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID(), body: body() });
    expect((await h.intake()(captured)).statusCode).toBe(202);
    h.clock.advance((WINDOW_SECONDS + 1) * 1000);
    expect((await h.intake()(underNewId(captured, "x-github-delivery"))).statusCode).toBe(202);
    await h.takeJobs();
  });

  test("accepts different bodies under their own ids (the marker is per body)", async () => {
    for (let i = 0; i < 3; i++) {
      const event = githubWebhook({ secret: h.credentials.github, deliveryId: randomUUID(), body: body() });
      expect((await h.intake()(event)).statusCode).toBe(202);
    }
    await h.takeJobs();
  });
});
