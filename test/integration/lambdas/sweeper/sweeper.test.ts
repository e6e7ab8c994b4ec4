import { randomUUID } from "node:crypto";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ENV } from "../../../../lambdas/shared/environment.ts";
import { eventPartitionKey } from "../../../../lambdas/shared/eventKey.ts";
import { indexShardCounts } from "../../../../lambdas/shared/indexShards.ts";
import { noDeadLetters } from "../../../../lambdas/sweeper/deadLetterPass.ts";
import { createSweeper, type SweeperOptions, sweeperFromEnvironment } from "../../../../lambdas/sweeper/handler.ts";
import { advanceWatermark, readWatermark } from "../../../../lambdas/sweeper/sweepWatermark.ts";
import { freePort } from "../../../../local/freePort.ts";
import { faultTimes, faultyClient } from "../../../support/dynamoFaults.ts";
import { localSqsClient } from "../../../support/fauxqs.ts";
import { allProvidersConfig } from "../../../support/gatewayFixtures.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { countRequests } from "../../../support/requestCounter.ts";
import { githubEventId, githubWebhook } from "../../../support/signedWebhooks.ts";
import { nothingSwept } from "../../../support/sweepCounts.ts";

let h: IntakeHarness;
beforeAll(async () => {
  h = await startIntakeHarness();
});
afterAll(async () => {
  await h.stop();
});

const SWEEP_AFTER_MS = 120_000;
// These tests' dead-letter queue stays empty: the dead-letter pass is deadLetterPass.test.ts's.
const deadLetters = noDeadLetters();

function sweeper(overrides: Partial<SweeperOptions> = {}) {
  return createSweeper({
    config: h.config,
    ddb: h.ddb,
    sqs: h.local.sqs,
    eventsTable: h.eventsTable,
    queueUrl: h.queue.queueUrl,
    deadLetterQueueUrl: h.queue.dlqUrl,
    clock: h.clock,
    logger: (line) => h.logs.push(line),
    ...overrides,
  });
}

/**
 * Accepts an event whose intake "dies" right after its writes (`afterPut`: state and body stored; `afterStatePut`:
 * the state only): stored RECEIVED, no job enqueued.
 */
async function crashAfterPut(point: "afterPut" | "afterStatePut" = "afterPut", deliveryId = randomUUID()) {
  const crashing = h.intake({
    faults: {
      [point]: () => {
        throw new Error("process killed");
      },
    },
  });
  expect((await crashing(githubWebhook({ secret: h.credentials.github, deliveryId }))).statusCode).toBe(503);
  return eventPartitionKey("github", githubEventId(deliveryId));
}

const NOTHING = nothingSwept(deadLetters);

describe("sweeper", () => {
  test("finds an event left RECEIVED by walking the listing index once it is old enough, and enqueues it", async () => {
    const pk = await crashAfterPut();
    const receivedAtMs = (await h.item(pk))?.receivedAtMs ?? 0;
    h.clock.advance(SWEEP_AFTER_MS);
    // Exactly at the threshold it is not yet abandoned: its intake could still be running.
    expect(await sweeper()()).toEqual({ ...NOTHING, watermarkMs: receivedAtMs });
    expect(h.jobCount()).toBe(0);

    h.clock.advance(1);
    expect(await sweeper()()).toEqual({
      ...NOTHING,
      examined: 1,
      found: 1,
      requeued: 1,
      watermarkMs: receivedAtMs + 1,
    });
    const jobs = await h.takeJobs();
    expect(jobs.sort((a, b) => a.destination.localeCompare(b.destination))).toEqual([
      { pk, destination: "audit" },
      { pk, destination: "primary" },
    ]);
    const item = await h.item(pk);
    expect(item?.status).toBe("QUEUED");
    // The watermark has passed it: the next run does not read it again.
    expect(await sweeper()()).toEqual(NOTHING);
    expect(h.logs.at(-1)).toMatchObject({ level: "info", msg: "oncegate.sweeper", found: 0, deadLetters });
  });

  test("queries every shard of the listing index and never scans the table", async () => {
    await crashAfterPut();
    h.clock.advance(SWEEP_AFTER_MS + 1);
    const counter = countRequests(h.ddb);
    await sweeper()();
    // The watermark (GetItem), one Query per listing shard (2 at the default 1 000 events/s), the states of the
    // entries (BatchGetItem), the RECEIVED one's state and body's presence (GetItem ×2), markQueued and the
    // watermark's move (UpdateItem ×2).
    const shards = indexShardCounts(h.config.peakEventsPerSecond).list;
    expect(shards).toBe(2);
    expect(counter.take().sort()).toEqual([
      "BatchGetItemCommand",
      "GetItemCommand",
      "GetItemCommand",
      "GetItemCommand",
      ...Array<string>(shards).fill("QueryCommand"),
      "UpdateItemCommand",
      "UpdateItemCommand",
    ]);
    await h.takeJobs();
  });

  test("finds abandoned events in any shard of a gateway sharded for 10 000 events per second", async () => {
    const config = { ...h.config, peakEventsPerSecond: 10_000 };
    const pks: string[] = [];
    for (let n = 0; n < 6; n++) {
      pks.push(await crashAfterPut("afterPut", randomUUID()));
      h.clock.advance(1);
    }
    h.clock.advance(SWEEP_AFTER_MS + 1);
    // The intake of the harness shards for 1 000 events/s (2 listing shards): a sweeper for 10 000 reads 20, a
    // superset of them (shard n of 2 is l#n), so it still finds them all.
    const counter = countRequests(h.ddb);
    expect(await sweeper({ config })()).toEqual({ ...NOTHING, examined: 6, found: 6, requeued: 6 });
    expect(counter.take().filter((name) => name === "QueryCommand")).toHaveLength(20);
    expect((await h.takeJobs()).map((job) => job.pk).sort()).toEqual(pks.flatMap((pk) => [pk, pk]).sort());
  });

  test("passes an event whose body was never stored, counts it, and a provider retry stores the body and enqueues it", async () => {
    const deliveryId = randomUUID();
    const pk = await crashAfterPut("afterStatePut", deliveryId);
    h.clock.advance(SWEEP_AFTER_MS + 1);
    expect(await sweeper()()).toEqual({ ...NOTHING, examined: 1, found: 1, bodyMissing: 1 });
    expect(h.jobCount()).toBe(0);
    expect(h.logs.at(-2)).toMatchObject({ level: "warn", msg: "oncegate.sweeper.body_missing", pk });
    // Still RECEIVED, and behind the watermark: there is nothing a later sweep could deliver (no bytes), so none
    // looks again. The provider retries, since it never got a 2xx.
    expect((await h.item(pk))?.status).toBe("RECEIVED");
    expect(await sweeper()()).toEqual(NOTHING);

    // The retry finds it abandoned: the duplicate path stores the body and enqueues.
    const retry = await h.intake()(githubWebhook({ secret: h.credentials.github, deliveryId }));
    expect(JSON.parse(retry.body)).toMatchObject({ duplicate: true, requeued: true });
    expect(await h.takeJobs()).toHaveLength(2);
    expect(await sweeper()()).toEqual(NOTHING);
  });

  test("enqueues an event whose early provider retry stored the missing body, once it is abandoned", async () => {
    const deliveryId = randomUUID();
    const pk = await crashAfterPut("afterStatePut", deliveryId);
    // An early retry: answered 200 duplicate (the first invocation could still be running), the body stored.
    expect((await h.intake()(githubWebhook({ secret: h.credentials.github, deliveryId }))).statusCode).toBe(200);
    expect(h.jobCount()).toBe(0);
    h.clock.advance(SWEEP_AFTER_MS + 1);
    expect(await sweeper()()).toEqual({ ...NOTHING, examined: 1, found: 1, requeued: 1 });
    expect((await h.takeJobs()).map((job) => job.pk)).toEqual([pk, pk]);
    expect((await h.item(pk))?.status).toBe("QUEUED");
  });

  test("walks past an event that already left RECEIVED without enqueuing it", async () => {
    const pk = await crashAfterPut();
    // The delivery Lambda settled it before the intake's markQueued landed: DELIVERED, never QUEUED.
    await h.ddb.send(
      new UpdateItemCommand({
        TableName: h.eventsTable,
        Key: { pk: { S: pk }, sk: { S: "state" } },
        UpdateExpression: "SET #status = :delivered",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":delivered": { S: "DELIVERED" } },
      }),
    );
    h.clock.advance(SWEEP_AFTER_MS + 1);
    expect(await sweeper()()).toEqual({ ...NOTHING, examined: 1 });
    expect(h.jobCount()).toBe(0);
    expect(await sweeper()()).toEqual(NOTHING);
  });

  test("re-reads a RECEIVED event strongly consistently and skips it when it has moved on since the batch read", async () => {
    const pk = await crashAfterPut();
    h.clock.advance(SWEEP_AFTER_MS + 1);
    // The intake's late markQueued lands between the sweep's batch read (eventually consistent) and its re-read.
    h.ddb.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === "BatchGetItemCommand") {
          await h.ddb.send(
            new UpdateItemCommand({
              TableName: h.eventsTable,
              Key: { pk: { S: pk }, sk: { S: "state" } },
              UpdateExpression: "SET #status = :queued",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: { ":queued": { S: "QUEUED" } },
            }),
          );
        }
        return result;
      },
      { step: "initialize", name: "lateMarkQueued" },
    );
    try {
      expect(await sweeper()()).toEqual({ ...NOTHING, examined: 1, found: 1, skipped: 1 });
    } finally {
      h.ddb.middlewareStack.remove("lateMarkQueued");
    }
    expect(h.jobCount()).toBe(0);
  });

  test("requeues at most maxPerRun events per run and leaves the rest for the next one", async () => {
    for (let i = 0; i < 5; i++) {
      await crashAfterPut();
      h.clock.advance(1);
    }
    h.clock.advance(SWEEP_AFTER_MS + 1);
    const bounded = sweeper({ maxPerRun: 2 });
    expect(await bounded()).toMatchObject({ requeued: 2 });
    // Each run walks again from the first event it did not hand over (the ones before are QUEUED by then).
    expect(await bounded()).toMatchObject({ requeued: 2 });
    expect(await bounded()).toMatchObject({ requeued: 1 });
    expect(await bounded()).toMatchObject({ examined: 0, requeued: 0 });
    expect(await h.takeJobs()).toHaveLength(10);
  });

  test("stops walking when its time budget is spent and goes on from there next run", async () => {
    for (let i = 0; i < 3; i++) {
      await crashAfterPut();
      h.clock.advance(1);
    }
    h.clock.advance(SWEEP_AFTER_MS + 1);
    expect(await sweeper({ walkBudgetMs: -1 })()).toMatchObject({ examined: 0, requeued: 0 });
    expect(h.jobCount()).toBe(0);
    expect(await sweeper()()).toMatchObject({ examined: 3, requeued: 3 });
    expect(await h.takeJobs()).toHaveLength(6);
  });

  test("counts an event it could not enqueue as failed and finds it again on the next run", async () => {
    const pk = await crashAfterPut();
    h.clock.advance(SWEEP_AFTER_MS + 1);
    const sqsDown = localSqsClient(`http://127.0.0.1:${await freePort()}`, 1);
    let countedFailures = 0;
    const counting = sweeper({ sqs: sqsDown, countSweepFailed: () => countedFailures++ });
    // SQS is down for the dead-letter pass too: it stops at once, and names the error (ECONNREFUSED in Lambda; under
    // Jest's VM realm the SDK wraps Node's connection error in a plain Error).
    const connectionError = expect.stringMatching(/^(ECONNREFUSED|Error)$/);
    const unreadQueue = { ...deadLetters, error: connectionError };
    expect(await counting()).toEqual({ ...NOTHING, examined: 1, found: 1, failed: 1, deadLetters: unreadQueue });
    // The swept-event error alarm counts both (the run itself succeeded, so the Errors metric cannot).
    expect(countedFailures).toBe(2);
    sqsDown.destroy();
    expect(h.logs.slice(-3)).toEqual([
      expect.objectContaining({ level: "error", msg: "oncegate.sweeper.event_failed", pk, error: "enqueue_failed" }),
      expect.objectContaining({ level: "error", msg: "oncegate.sweeper.dead_letters_failed", error: connectionError }),
      expect.objectContaining({ level: "error", msg: "oncegate.sweeper", failed: 1 }),
    ]);
    expect((await h.item(pk))?.status).toBe("RECEIVED");
    // The watermark stopped at it: the next run walks it again.
    expect(await sweeper()()).toMatchObject({ found: 1, requeued: 1 });
    expect(await h.takeJobs()).toHaveLength(2);
  });

  test("moves the watermark only from the value it read: an overlapping run's progress is refused", async () => {
    const table = { client: h.ddb, tableName: h.eventsTable };
    await sweeper()();
    const seen = (await readWatermark(table)) ?? 0;
    // Run A and run B both read `seen`; B saves first, so A's save is refused and B's stands.
    expect(await advanceWatermark(table, seen, seen + 20, h.clock.nowMs())).toBe(true);
    expect(await advanceWatermark(table, seen, seen + 10, h.clock.nowMs())).toBe(false);
    expect(await readWatermark(table)).toBe(seen + 20);
  });

  test("takes a watermark move whose answer was lost after it applied as done (the SDK's retry meets its own write)", async () => {
    const pk = await crashAfterPut();
    h.clock.advance(SWEEP_AFTER_MS + 1);
    const isWatermarkMove = (call: { commandName: string; input: Record<string, unknown> }) =>
      call.commandName === "UpdateItemCommand" &&
      (call.input.Key as { sk?: { S?: string } } | undefined)?.sk?.S === "watermark";
    const faulty = faultyClient(faultTimes("lost_answer", 1, isWatermarkMove));
    try {
      const result = await sweeper({ ddb: faulty.client })();
      expect(faulty.injected).toHaveLength(1);
      expect(result).toMatchObject({ found: 1, requeued: 1 });
      expect(await readWatermark({ client: h.ddb, tableName: h.eventsTable })).toBe(result.watermarkMs);
      expect(h.logs.some((line) => line.msg === "oncegate.sweeper.watermark_moved")).toBe(false);
    } finally {
      faulty.client.destroy();
    }
    expect((await h.takeJobs()).map((job) => job.pk)).toEqual([pk, pk]);
  });

  test("builds from the environment like the intake", async () => {
    const env = {
      [ENV.config]: JSON.stringify(allProvidersConfig()),
      [ENV.eventsTable]: h.eventsTable,
      [ENV.deliveryQueueUrl]: h.queue.queueUrl,
      [ENV.bodyBucket]: "oncegate-bodies",
      [ENV.deadLetterQueueUrl]: h.queue.dlqUrl,
    };
    const sweep = sweeperFromEnvironment(env, { ddb: h.ddb, sqs: h.local.sqs, logger: () => {} });
    expect(await sweep({ "detail-type": "Scheduled Event" })).toEqual(NOTHING);
    expect(() => sweeperFromEnvironment({ ...env, [ENV.config]: '{"providers":{}}' })).toThrow(
      "providers: expected at least one provider",
    );
    expect(() => sweeperFromEnvironment({ ...env, [ENV.deadLetterQueueUrl]: undefined })).toThrow(
      `${ENV.deadLetterQueueUrl}: environment variable is not set`,
    );
  });
});
