import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { type IntakeFaults, intakeHandlerFromEnvironment } from "../../../../lambdas/intake/handler.ts";
import { AWS_CALL_LIMITS } from "../../../../lambdas/shared/awsClientLimits.ts";
import { ENV } from "../../../../lambdas/shared/environment.ts";
import { eventPartitionKey } from "../../../../lambdas/shared/eventKey.ts";
import { indexShardCounts, listShardOf } from "../../../../lambdas/shared/indexShards.ts";
import { createSecretResolver } from "../../../../lambdas/shared/secrets.ts";
import { freePort } from "../../../../local/freePort.ts";
import { localSqsClient } from "../../../support/fauxqs.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { githubEventId, githubWebhook } from "../../../support/signedWebhooks.ts";

let h: IntakeHarness;
let closedEndpoint: string;
beforeAll(async () => {
  h = await startIntakeHarness();
  // Nothing listens here: every call fails at once with ECONNREFUSED, like an unreachable service.
  closedEndpoint = `http://127.0.0.1:${await freePort()}`;
});
afterAll(async () => {
  await h.stop();
});

const parse = (answer: { body: string }) => JSON.parse(answer.body);
const PAST_SWEEP_THRESHOLD_MS = 121_000;

function newDelivery() {
  const deliveryId = randomUUID();
  return {
    deliveryId,
    pk: eventPartitionKey("github", githubEventId(deliveryId)),
    event: () => githubWebhook({ secret: h.credentials.github, deliveryId }),
  };
}

/** An intake that "dies" at `point`: the request fails there (503), what it wrote before stays. */
function crashingAt(point: keyof IntakeFaults) {
  return h.intake({
    faults: {
      [point]: () => {
        throw new Error("process killed");
      },
    },
  });
}

/** A DynamoDB client on DynamoDB Local whose `commandName` calls fail as if DynamoDB were unavailable. */
function ddbFailing(commandName: string): DynamoDBClient {
  const client = new DynamoDBClient({ maxAttempts: 1 });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === commandName) {
        throw Object.assign(new Error("injected"), { name: "ServiceUnavailableException" });
      }
      return next(args);
    },
    { step: "initialize", name: "injectFailure" },
  );
  return client;
}

/** A server that takes connections and requests and never answers: a DynamoDB that hangs. */
async function silentServer(): Promise<{ endpoint: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server: Server = createServer(() => {
    requests += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// The intake's Lambda timeout in AWS (`webhookGateway.ts`): it must answer 503 itself well before.
const INTAKE_LAMBDA_TIMEOUT_MS = 10_000;

describe("intake failures", () => {
  test("answers 503 well inside its Lambda timeout when DynamoDB takes the request and never answers", async () => {
    const { pk, event } = newDelivery();
    const hung = await silentServer();
    const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    // Built from its environment, as in AWS: the clients are the gateway's own, not the harness's.
    process.env.AWS_ENDPOINT_URL_DYNAMODB = hung.endpoint;
    let answer: { statusCode: number; body: string };
    let elapsedMs: number;
    try {
      const intake = intakeHandlerFromEnvironment(
        {
          ...h.env,
          [ENV.config]: JSON.stringify(h.config),
          [ENV.eventsTable]: h.eventsTable,
          [ENV.deliveryQueueUrl]: h.queue.queueUrl,
          [ENV.bodyBucket]: "oncegate-bodies",
        },
        { logger: () => {} },
      );
      const startedMs = performance.now();
      answer = await intake(event());
      elapsedMs = performance.now() - startedMs;
    } finally {
      process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
      await hung.close();
    }
    expect(answer.statusCode).toBe(503);
    expect(parse(answer).error).toBe("temporarily_unavailable");
    // Every attempt waited its whole request timeout, and there were no more attempts than the limit.
    expect(hung.requests()).toBe(AWS_CALL_LIMITS.maxAttempts);
    expect(elapsedMs).toBeGreaterThanOrEqual(AWS_CALL_LIMITS.maxAttempts * AWS_CALL_LIMITS.requestTimeoutMs);
    expect(elapsedMs).toBeLessThan(INTAKE_LAMBDA_TIMEOUT_MS * 0.8);
    expect(await h.item(pk)).toBeUndefined();
    expect(h.jobCount()).toBe(0);
  });

  test("a crash between the write and the enqueue leaves the event RECEIVED; a later duplicate enqueues it", async () => {
    const { pk, event } = newDelivery();
    const crashing = crashingAt("afterPut");
    expect((await crashing(event())).statusCode).toBe(503);
    const shards = indexShardCounts(h.config.peakEventsPerSecond);
    expect(await h.item(pk)).toMatchObject({ status: "RECEIVED", listShard: listShardOf(pk, shards) });
    expect(h.jobCount()).toBe(0);

    // Right away the first invocation could still be about to enqueue: the duplicate does not.
    const early = await h.intake()(event());
    expect(early.statusCode).toBe(200);
    expect(parse(early).requeued).toBeUndefined();
    expect(h.jobCount()).toBe(0);

    h.clock.advance(PAST_SWEEP_THRESHOLD_MS);
    const late = await h.intake()(event());
    expect(late.statusCode).toBe(200);
    expect(parse(late)).toMatchObject({ ok: true, duplicate: true, requeued: true });
    expect((await h.takeJobs()).map((job) => job.destination).sort()).toEqual(["audit", "primary"]);
    const item = await h.item(pk);
    expect(item?.status).toBe("QUEUED");
  });

  test("a crash between the state put and the body put answers nothing; an early retry stores the body, a late one enqueues", async () => {
    const { pk, event } = newDelivery();
    const crashing = crashingAt("afterStatePut");
    expect((await crashing(event())).statusCode).toBe(503);
    expect(await h.item(pk)).toMatchObject({ status: "RECEIVED" });
    expect(await h.body(pk)).toBeUndefined();

    // The provider retries at once: the first invocation might still be running, so nothing is enqueued, but this
    // 200 acknowledges the event, so its body is stored first, from the retry's bytes.
    const early = await h.intake()(event());
    expect(early.statusCode).toBe(200);
    expect(parse(early).requeued).toBeUndefined();
    expect(Buffer.from((await h.body(pk)) ?? []).toString("utf8")).toBe(event().body);
    expect(h.jobCount()).toBe(0);

    h.clock.advance(PAST_SWEEP_THRESHOLD_MS);
    expect(parse(await h.intake()(event()))).toMatchObject({ duplicate: true, requeued: true });
    expect(await h.takeJobs()).toHaveLength(2);
    expect((await h.item(pk))?.status).toBe("QUEUED");
  });

  test("a retry that finds an abandoned event without a body stores the body before enqueuing its jobs", async () => {
    const { pk, event } = newDelivery();
    const crashing = crashingAt("afterStatePut");
    expect((await crashing(event())).statusCode).toBe(503);
    h.clock.advance(PAST_SWEEP_THRESHOLD_MS);
    // The body put fails: nothing is enqueued and nothing acknowledged, the event stays as it was.
    const bodyDown = new DynamoDBClient({ maxAttempts: 1 });
    bodyDown.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Item?: { sk?: { S?: string } } };
        if (input.Item?.sk?.S === "body") throw Object.assign(new Error("injected"), { name: "InternalServerError" });
        return next(args);
      },
      { step: "initialize", name: "failBodyPuts" },
    );
    expect((await h.intake({ ddb: bodyDown })(event())).statusCode).toBe(503);
    bodyDown.destroy();
    expect(h.jobCount()).toBe(0);
    expect(await h.body(pk)).toBeUndefined();

    const retry = await h.intake()(event());
    expect(parse(retry)).toMatchObject({ duplicate: true, requeued: true });
    expect(Buffer.from((await h.body(pk)) ?? []).toString("utf8")).toBe(event().body);
    expect(await h.takeJobs()).toHaveLength(2);
    expect((await h.item(pk))?.status).toBe("QUEUED");
  });

  test("answers 503 when SQS is unreachable, keeps the event RECEIVED, and a later retry enqueues it", async () => {
    const { pk, event } = newDelivery();
    const sqsDown = localSqsClient(closedEndpoint, 1);
    const answer = await h.intake({ sqs: sqsDown })(event());
    sqsDown.destroy();
    expect(answer.statusCode).toBe(503);
    expect(answer.headers["Content-Type"]).toBe("application/json");
    expect(parse(answer)).toEqual({ ok: false, error: "temporarily_unavailable", message: expect.any(String) });
    expect((await h.item(pk))?.status).toBe("RECEIVED");
    expect(h.jobCount()).toBe(0);
    expect(h.logs.at(-1)).toMatchObject({
      level: "error",
      outcome: "unavailable",
      status: 503,
      error: "enqueue_failed",
      // What enqueue_failed wrapped (here the SDK's connection error), so the line tells a brown-out from a refusal.
      errorCause: expect.any(String),
    });

    h.clock.advance(PAST_SWEEP_THRESHOLD_MS);
    const retry = await h.intake()(event());
    expect(retry.statusCode).toBe(200);
    expect(parse(retry).requeued).toBe(true);
    expect(await h.takeJobs()).toHaveLength(2);
    expect((await h.item(pk))?.status).toBe("QUEUED");
  });

  test("answers 503 when DynamoDB is unreachable, and enqueues nothing", async () => {
    const { event } = newDelivery();
    const ddbDown = new DynamoDBClient({ endpoint: closedEndpoint, maxAttempts: 1 });
    const itemsBefore = (await h.items()).length;
    const answer = await h.intake({ ddb: ddbDown })(event());
    ddbDown.destroy();
    expect(answer.statusCode).toBe(503);
    expect(parse(answer).error).toBe("temporarily_unavailable");
    expect(answer.headers["Retry-After"]).toBeDefined();
    expect(await h.items()).toHaveLength(itemsBefore);
    expect(h.jobCount()).toBe(0);
  });

  test("still answers 202 when marking QUEUED fails after the enqueue, and logs it", async () => {
    const { pk, event } = newDelivery();
    const ddb = ddbFailing("UpdateItemCommand");
    const answer = await h.intake({ ddb })(event());
    ddb.destroy();
    expect(answer.statusCode).toBe(202);
    expect(await h.takeJobs()).toHaveLength(2);
    expect((await h.item(pk))?.status).toBe("RECEIVED");
    expect(h.logs.at(-1)).toMatchObject({
      level: "warn",
      outcome: "accepted",
      markQueuedError: "ServiceUnavailableException",
    });
  });

  test("a crash after the enqueue leaves jobs on the queue; the event is still found by a later duplicate", async () => {
    const { pk, event } = newDelivery();
    const crashing = crashingAt("afterEnqueue");
    expect((await crashing(event())).statusCode).toBe(503);
    expect(await h.takeJobs()).toHaveLength(2);
    expect((await h.item(pk))?.status).toBe("RECEIVED");
    h.clock.advance(PAST_SWEEP_THRESHOLD_MS);
    expect(parse(await h.intake()(event())).requeued).toBe(true);
    // Enqueued twice in all: safe, every job of the event carries the same Idempotency-Key.
    expect(await h.takeJobs()).toHaveLength(2);
    expect((await h.item(pk))?.status).toBe("QUEUED");
  });

  test("answers 503 when a provider secret cannot be read, writes nothing, and never logs a secret", async () => {
    const { pk, event } = newDelivery();
    const answer = await h.intake({ secrets: createSecretResolver({ env: {} }) })(event());
    expect(answer.statusCode).toBe(503);
    expect(await h.item(pk)).toBeUndefined();
    expect(h.logs.at(-1)).toMatchObject({ outcome: "unavailable", error: "secret_unavailable", provider: "github" });
    const logged = JSON.stringify(h.logs);
    for (const value of Object.values(h.env)) expect(logged).not.toContain(value);
  });

  test("logs one line per request with the provider, the event id, the outcome, the status and durations", async () => {
    const { deliveryId, event } = newDelivery();
    const before = h.logs.length;
    await h.intake()(event());
    expect(h.logs.length).toBe(before + 1);
    expect(h.logs.at(-1)).toEqual({
      level: "info",
      msg: "oncegate.intake",
      provider: "github",
      eventId: githubEventId(deliveryId),
      idempotencyKey: expect.stringMatching(/^whk_/),
      outcome: "accepted",
      status: 202,
      bodyBytes: expect.any(Number),
      verifyMs: expect.any(Number),
      storeMs: expect.any(Number),
      enqueueMs: expect.any(Number),
      totalMs: expect.any(Number),
    });
    await h.takeJobs();
  });
});
