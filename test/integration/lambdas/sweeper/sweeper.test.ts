import { randomUUID } from "node:crypto";
import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ENV } from "../../../../lambdas/shared/environment.ts";
import { eventPartitionKey } from "../../../../lambdas/shared/eventKey.ts";
import { indexShardCounts } from "../../../../lambdas/shared/indexShards.ts";
import { noDeadLetters } from "../../../../lambdas/sweeper/deadLetterPass.ts";
import { createSweeper, type SweeperOptions, sweeperFromEnvironment } from "../../../../lambdas/sweeper/handler.ts";
import { freePort } from "../../../../local/freePort.ts";
import { localSqsClient } from "../../../support/fauxqs.ts";
import { allProvidersConfig } from "../../../support/gatewayFixtures.ts";
import { type IntakeHarness, startIntakeHarness } from "../../../support/intakeHarness.ts";
import { countRequests } from "../../../support/requestCounter.ts";
import { githubEventId, githubWebhook } from "../../../support/signedWebhooks.ts";

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

const NOTHING = { found: 0, requeued: 0, skipped: 0, bodyMissing: 0, failed: 0, deadLetters };

describe("sweeper", () => {
  test("finds an event left RECEIVED through the index once it is old enough, and enqueues it", async () => {
    const pk = await crashAfterPut();
    h.clock.advance(SWEEP_AFTER_MS);
    // Exactly at the threshold it is not yet abandoned: its intake could still be running.
    expect(await sweeper()()).toEqual(NOTHING);
    expect(h.jobCount()).toBe(0);

    h.clock.advance(1);
    expect(await sweeper()()).toEqual({ ...NOTHING, found: 1, requeued: 1 });
    const jobs = await h.takeJobs();
    expect(jobs.sort((a, b) => a.destination.localeCompare(b.destination))).toEqual([
      { pk, destination: "audit" },
      { pk, destination: "primary" },
    ]);
    const item = await h.item(pk);
    expect(item?.status).toBe("QUEUED");
    expect(item?.sweepShard).toBeUndefined();
    expect(await sweeper()()).toEqual(NOTHING);
    expect(h.logs.at(-1)).toMatchObject({ level: "info", msg: "oncegate.sweeper", found: 0, deadLetters });
  });

  test("queries every shard of the sparse index and never scans the table", async () => {
    await crashAfterPut();
    h.clock.advance(SWEEP_AFTER_MS + 1);
    const counter = countRequests(h.ddb);
    await sweeper()();
    // One Query per sweep shard (4 at the default 1 000 events/s); the state and the body's presence; markQueued.
    const shards = indexShardCounts(h.config.peakEventsPerSecond).sweep;
    expect(shards).toBe(4);
    expect(counter.take().sort()).toEqual([
      "GetItemCommand",
      "GetItemCommand",
      ...Array<string>(shards).fill("QueryCommand"),
      "UpdateItemCommand",
    ]);
    await h.takeJobs();
  });

  test("finds stuck events in any shard of a gateway sharded for 10 000 events per second", async () => {
    const config = { ...h.config, peakEventsPerSecond: 10_000 };
    const pks: string[] = [];
    for (let n = 0; n < 6; n++) {
      pks.push(await crashAfterPut("afterPut", randomUUID()));
      h.clock.advance(1);
    }
    h.clock.advance(SWEEP_AFTER_MS + 1);
    // The intake of the harness shards for 1 000 events/s (4 sweep shards): a sweeper for 10 000 reads 40, a
    // superset of them (shard n of 4 is r#n), so it still finds them all.
    const counter = countRequests(h.ddb);
    expect(await sweeper({ config })()).toEqual({ ...NOTHING, found: 6, requeued: 6 });
    expect(counter.take().filter((name) => name === "QueryCommand")).toHaveLength(40);
    expect((await h.takeJobs()).map((job) => job.pk).sort()).toEqual(pks.flatMap((pk) => [pk, pk]).sort());
  });

  test("leaves an event whose body was never stored, counts it, and enqueues it once a provider retry stored the body", async () => {
    const deliveryId = randomUUID();
    const pk = await crashAfterPut("afterStatePut", deliveryId);
    h.clock.advance(SWEEP_AFTER_MS + 1);
    expect(await sweeper()()).toEqual({ ...NOTHING, found: 1, bodyMissing: 1 });
    expect(h.jobCount()).toBe(0);
    expect(h.logs.at(-2)).toMatchObject({ level: "warn", msg: "oncegate.sweeper.body_missing", pk });
    // Still RECEIVED and in the index: the next run finds it again.
    expect((await h.item(pk))?.status).toBe("RECEIVED");
    expect(await sweeper()()).toEqual({ ...NOTHING, found: 1, bodyMissing: 1 });

    // The provider retries (it never got a 2xx): the duplicate path stores the body and enqueues.
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
    expect(await sweeper()()).toEqual({ ...NOTHING, found: 1, requeued: 1 });
    expect((await h.takeJobs()).map((job) => job.pk)).toEqual([pk, pk]);
    expect((await h.item(pk))?.status).toBe("QUEUED");
  });

  test("takes an event that already left RECEIVED out of the index without enqueuing it", async () => {
    const pk = await crashAfterPut();
    // The delivery Lambda settled it before the intake's markQueued landed: status moved, sweepShard stayed.
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
    expect(await sweeper()()).toEqual({ ...NOTHING, found: 1, skipped: 1 });
    expect(h.jobCount()).toBe(0);
    expect((await h.item(pk))?.sweepShard).toBeUndefined();
    expect(await sweeper()()).toMatchObject({ found: 0 });
  });

  test("handles at most maxPerRun events per run and leaves the rest for the next one", async () => {
    for (let i = 0; i < 5; i++) await crashAfterPut();
    h.clock.advance(SWEEP_AFTER_MS + 1);
    const bounded = sweeper({ maxPerRun: 2 });
    expect(await bounded()).toMatchObject({ found: 2, requeued: 2 });
    expect(await bounded()).toMatchObject({ found: 2, requeued: 2 });
    expect(await bounded()).toMatchObject({ found: 1, requeued: 1 });
    expect(await bounded()).toMatchObject({ found: 0 });
    expect(await h.takeJobs()).toHaveLength(10);
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
    expect(await counting()).toEqual({ ...NOTHING, found: 1, failed: 1, deadLetters: unreadQueue });
    // The swept-event error alarm counts both (the run itself succeeded, so the Errors metric cannot).
    expect(countedFailures).toBe(2);
    sqsDown.destroy();
    expect(h.logs.slice(-3)).toEqual([
      expect.objectContaining({ level: "error", msg: "oncegate.sweeper.event_failed", pk, error: "enqueue_failed" }),
      expect.objectContaining({ level: "error", msg: "oncegate.sweeper.dead_letters_failed", error: connectionError }),
      expect.objectContaining({ level: "error", msg: "oncegate.sweeper", failed: 1 }),
    ]);
    expect((await h.item(pk))?.status).toBe("RECEIVED");
    expect(await sweeper()()).toMatchObject({ found: 1, requeued: 1 });
    expect(await h.takeJobs()).toHaveLength(2);
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
