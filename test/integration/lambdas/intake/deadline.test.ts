import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { eventPartitionKey } from "../../../../lambdas/shared/eventKey.ts";
import { LOCAL_SQS_CREDENTIALS } from "../../../support/fauxqs.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { githubEventId, githubWebhook } from "../../../support/signedWebhooks.ts";

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntakeHarness();
  // One request first, so that what the first request of a process loads (modules, the credential chain) is not
  // timed: these tests measure the deadline, not a cold start.
  expect(
    (await h.intake()(githubWebhook({ secret: h.credentials.github, deliveryId: crypto.randomUUID() }))).statusCode,
  ).toBe(202);
  await h.takeJobs();
});
afterAll(async () => {
  await h.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How late a timer set now for `ms` fires, in milliseconds. The intake answers by its deadline through a timer, and
 * on a starved 2-core machine (CI runs this beside another worker's stacks and browser) every timer fires late by
 * the same amount: the bounds below allow that lateness, measured, on top of a fixed jitter, so that they still fail
 * a gateway that waits for its slow calls instead of its deadline.
 */
function timerLateness(ms: number): Promise<number> {
  const setMs = performance.now();
  return new Promise((resolve) => setTimeout(() => resolve(Math.max(0, performance.now() - setMs - ms)), ms));
}

/**
 * A client whose `commandName` calls are each slowed by `delayMs` before they go out, yet succeed: a store or queue
 * that answers, slowly, within each attempt's limit, so no SDK timeout ever fires.
 */
function slowed<T extends DynamoDBClient | SQSClient>(client: T, commandName: string, delayMs: number): T {
  const stack = client.middlewareStack as DynamoDBClient["middlewareStack"];
  stack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) await sleep(delayMs);
      return next(args);
    },
    { step: "initialize", name: "slowCall" },
  );
  return client;
}

describe("one deadline per intake request", () => {
  test("answers 503 + Retry-After by its deadline when a slow put and a slow enqueue together outlast it", async () => {
    const ddb = slowed(new DynamoDBClient({ maxAttempts: 1 }), "PutItemCommand", 700);
    const sqs = slowed(
      new SQSClient({ endpoint: h.local.endpoint, region: "us-east-1", credentials: LOCAL_SQS_CREDENTIALS }),
      "SendMessageBatchCommand",
      700,
    );
    const deliveryId = crypto.randomUUID();
    const intake = h.intake({ ddb, sqs, deadlineMs: 1_000 });
    const webhook = githubWebhook({ secret: h.credentials.github, deliveryId });
    const lateness = timerLateness(1_000);
    const startedMs = performance.now();
    const answer = await intake(webhook);
    const elapsedMs = performance.now() - startedMs;
    expect(answer.statusCode).toBe(503);
    expect(answer.headers["Retry-After"]).toBeDefined();
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: "temporarily_unavailable" });
    // Well before the 1 400 ms the slow put and enqueue take together.
    expect(elapsedMs).toBeLessThan(1_000 + 150 + (await lateness));
    expect(h.logs.at(-1)).toMatchObject({ outcome: "unavailable", error: "deadline_exceeded", status: 503 });
    // Nothing acknowledged is lost: the put applied, the event waits RECEIVED for the provider's retry or the sweeper.
    await sleep(800);
    expect(await h.item(eventPartitionKey("github", githubEventId(deliveryId)))).toMatchObject({ status: "RECEIVED" });
    ddb.destroy();
    sqs.destroy();
    await h.takeJobs();
  });

  test("still answers 202 when only markQueued runs out of time: the jobs are enqueued, the sweeper marks it", async () => {
    const ddb = slowed(new DynamoDBClient({ maxAttempts: 1 }), "UpdateItemCommand", 1_500);
    const deliveryId = crypto.randomUUID();
    const intake = h.intake({ ddb, deadlineMs: 1_000 });
    const webhook = githubWebhook({ secret: h.credentials.github, deliveryId });
    const lateness = timerLateness(1_000);
    const startedMs = performance.now();
    const answer = await intake(webhook);
    expect(answer.statusCode).toBe(202);
    // By its deadline, within the jitter and lateness the first test allows too (markQueued is given up at the
    // deadline less its reserve), well before the 1 500 ms markQueued takes.
    expect(performance.now() - startedMs).toBeLessThan(1_000 + 150 + (await lateness));
    expect(h.logs.at(-1)).toMatchObject({ outcome: "accepted", markQueuedError: "deadline_exceeded" });
    expect(await h.takeJobs()).toHaveLength(2);
    ddb.destroy();
  });
});
