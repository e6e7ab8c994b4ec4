import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { IntakeFaults } from "../../../../lambdas/intake/handler.ts";
import { eventPartitionKey } from "../../../../lambdas/shared/eventKey.ts";
import { SECRET_ENV } from "../../../support/gatewayFixtures.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { githubEventId, githubWebhook } from "../../../support/signedWebhooks.ts";

/**
 * The intake routing by event type on DynamoDB Local and fauxqs: GitHub events to destinations filtering
 * `pull_request` and `issues.*`; anything else is stored UNROUTED, acknowledged, and never enqueued, through the
 * same crash points as a routed event.
 */
let h: IntakeHarness;
beforeAll(async () => {
  const signingSecrets = [{ env: SECRET_ENV.destination }];
  h = await startIntakeHarness({
    providers: { github: { scheme: "github", secrets: [{ env: SECRET_ENV.github }] } },
    destinations: [
      { id: "reviews", url: "https://reviews.example.com/", events: ["pull_request"], signingSecrets },
      {
        id: "triage",
        url: "https://triage.example.com/",
        events: ["issues.opened", "issues.reopened"],
        signingSecrets,
      },
    ],
  });
});
afterAll(async () => {
  await h.stop();
});

const parse = (answer: { body: string }) => JSON.parse(answer.body);
const PAST_SWEEP_THRESHOLD_MS = 121_000;

function delivery(eventType: string, action?: string) {
  const deliveryId = randomUUID();
  const body = JSON.stringify({ ...(action !== undefined && { action }), sender: { login: "octocat" } });
  return {
    pk: eventPartitionKey("github", githubEventId(deliveryId)),
    event: () => githubWebhook({ secret: h.credentials.github, deliveryId, eventType, body }),
  };
}

describe("intake routing by event type", () => {
  test("enqueues one job per destination whose filter takes the type, recording the type", async () => {
    await h.takeJobs();
    const opened = delivery("issues", "opened");
    const review = delivery("pull_request", "synchronize");
    expect((await h.intake()(opened.event())).statusCode).toBe(202);
    expect((await h.intake()(review.event())).statusCode).toBe(202);
    const jobs = await h.takeJobs();
    expect(jobs.map(({ pk, destination }) => [pk === opened.pk ? "issue" : "review", destination]).sort()).toEqual([
      ["issue", "triage"],
      ["review", "reviews"],
    ]);
    expect(await h.item(opened.pk)).toMatchObject({
      status: "QUEUED",
      destinationIds: ["triage"],
      attributes: { eventType: "issues.opened" },
    });
  });

  test("stores an event no filter takes UNROUTED: answered 202, body kept, nothing enqueued, never requeued", async () => {
    await h.takeJobs();
    const closed = delivery("issues", "closed");
    const counted: string[] = [];
    const answer = await h.intake({ countMetric: (metric) => counted.push(metric) })(closed.event());
    expect(answer.statusCode).toBe(202);
    expect(parse(answer)).toMatchObject({ ok: true, duplicate: false });
    expect(await h.item(closed.pk)).toMatchObject({ status: "UNROUTED", destinationIds: [], destinations: {} });
    expect(Buffer.from((await h.body(closed.pk)) ?? []).toString("utf8")).toBe(closed.event().body);
    expect(h.jobCount()).toBe(0);
    // Counted as accepted, and as unrouted: the dashboard and the console's overview show events sent nowhere.
    expect(counted).toEqual(["Accepted", "Unrouted"]);
    expect(h.logs.at(-1)).toMatchObject({ msg: "oncegate.intake", outcome: "accepted", unrouted: true });
    // Long after: a resend is a plain duplicate; an UNROUTED event is nobody's abandoned acceptance.
    h.clock.advance(PAST_SWEEP_THRESHOLD_MS);
    expect(parse(await h.intake()(closed.event()))).toEqual(expect.objectContaining({ duplicate: true }));
    expect(parse(await h.intake()(closed.event())).requeued).toBeUndefined();
    expect(h.jobCount()).toBe(0);
    expect((await h.item(closed.pk))?.status).toBe("UNROUTED");
  });

  test("a crash between the state put and the body put: the provider's retry stores the body, enqueues nothing", async () => {
    await h.takeJobs();
    const push = delivery("push");
    const crashing = h.intake({
      faults: {
        afterStatePut: (() => {
          throw new Error("process killed");
        }) satisfies IntakeFaults["afterStatePut"],
      },
    });
    expect((await crashing(push.event())).statusCode).toBe(503);
    expect(await h.item(push.pk)).toMatchObject({ status: "UNROUTED" });
    expect(await h.body(push.pk)).toBeUndefined();
    const retry = await h.intake()(push.event());
    expect(retry.statusCode).toBe(200);
    expect(Buffer.from((await h.body(push.pk)) ?? []).toString("utf8")).toBe(push.event().body);
    expect(h.jobCount()).toBe(0);
  });
});
