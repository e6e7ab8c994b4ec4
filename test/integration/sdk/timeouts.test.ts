import { describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { fingerprintOf } from "../../../sdk/fingerprint.ts";
import { ConfigurationError, DbClosedError, idempotency, idempotent } from "../../../sdk/index.ts";
import { getItem } from "../../support/dynamoDbTables.ts";
import { bodyOf, httpApiEvent, lambdaContext, sqsEvent, sqsRecord } from "../../support/lambdaEvents.ts";
import { newKey, seedRecord, suiteTables } from "../../support/suiteTables.ts";

// Items 4, 7 and 8 of the SDK hardening: a Lambda timeout is a crash, not a handler failure; a record must outlive
// its run; a batch never claims what it has no time to finish.
const tables = suiteTables("sdk-timeouts", "sdk-timeouts-charges");
const { client } = tables;
const table = () => tables.name(0);
const charges = () => tables.name(1);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Lambda context whose clock really runs: `remainingMs` from its creation. */
function runningContext(remainingMs: number) {
  const endsAt = Date.now() + remainingMs;
  return { ...lambdaContext(), getRemainingTimeInMillis: () => endsAt - Date.now() };
}

describe("Middy's early timeout", () => {
  test.each(["fail", "release"] as const)(
    "keeps the claim IN_PROGRESS (onError %s), so a concurrent delivery never runs the handler a second time",
    async (onError) => {
      let runs = 0;
      const lateWrites: unknown[] = [];
      const slow = middy(
        async (_event: unknown, context: { idempotency?: { db: { put(i: unknown): Promise<void> }; key: string } }) => {
          runs += 1;
          await sleep(400);
          const { db, key } = context.idempotency as { db: { put(i: unknown): Promise<void> }; key: string };
          await db.put({ TableName: charges(), Item: { id: key } }).catch((error) => lateWrites.push(error));
          return { statusCode: 200, body: "{}" };
        },
      ).use(
        idempotency({ tableName: table(), client, onError, retentionSeconds: 60, logger: () => {} }),
      ) as unknown as (e: unknown, c: unknown) => Promise<{ statusCode: number; body: string }>;
      const key = newKey(`timeout-${onError}`);
      const event = httpApiEvent({}, { "Idempotency-Key": key });
      const first = await slow(event, runningContext(150));
      expect(first.statusCode).toBe(504);
      expect(bodyOf(first)).toMatchObject({ error: "handler_timed_out" });
      expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "IN_PROGRESS" });
      // The first handler is still running: a second delivery must be refused, not run.
      const second = await slow(event, runningContext(10_000));
      expect(second.statusCode).toBe(409);
      await sleep(400);
      expect(runs).toBe(1);
      // Its late db write throws instead of being silently dropped.
      expect(lateWrites).toHaveLength(1);
      expect(lateWrites[0]).toBeInstanceOf(DbClosedError);
      expect(await getItem(client, charges(), key)).toBeUndefined();
    },
  );

  test("an SQS batch under the middleware keeps every claim IN_PROGRESS and reports every claimed record", async () => {
    const handler = middy(async () => {
      await sleep(400);
    }).use(
      idempotency({ tableName: table(), client, onError: "release", retentionSeconds: 60, logger: () => {} }),
    ) as unknown as (e: unknown, c: unknown) => Promise<unknown>;
    const keys = [newKey("batch-mw-1"), newKey("batch-mw-2")];
    const records = keys.map((key) => sqsRecord({}, key));
    const response = await handler(sqsEvent(records), runningContext(150));
    expect(response).toEqual({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
    for (const key of keys) {
      expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "IN_PROGRESS" });
    }
  });

  test("idempotent() keeps the claim IN_PROGRESS on a timeout, with onError release", async () => {
    let runs = 0;
    const handler = idempotent(
      async ({ signal }) => {
        runs += 1;
        await sleep(300);
        return { aborted: signal.aborted };
      },
      { tableName: table(), client, onError: "release", retentionSeconds: 60, logger: () => {} },
    );
    const key = newKey("wrapper-timeout");
    const response = (await handler(httpApiEvent({}, { "Idempotency-Key": key }), runningContext(120))) as {
      statusCode: number;
    };
    expect(response.statusCode).toBe(504);
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "IN_PROGRESS" });
    expect(runs).toBe(1);
  });
});

describe("retention", () => {
  test("rejects at the first invocation a retention shorter than the function's remaining time", async () => {
    const handler = idempotent(() => "ok", { tableName: table(), client, retentionSeconds: 10, logger: () => {} });
    await expect(
      handler(httpApiEvent({}, { "Idempotency-Key": newKey("short") }), lambdaContext("fn", 30_000)),
    ).rejects.toThrow(ConfigurationError);
    const batch = idempotent(() => "ok", { tableName: table(), client, retentionSeconds: 10, logger: () => {} });
    await expect(batch(sqsEvent([sqsRecord({}, newKey("short-sqs"))]), lambdaContext("fn", 30_000))).rejects.toThrow(
      /retentionSeconds/,
    );
  });

  test("never takes over a live IN_PROGRESS claim whose TTL attribute has passed", async () => {
    const key = newKey("expired-in-progress");
    await seedRecord(client, table(), `consumer-fn#${key}`, {
      status: "IN_PROGRESS",
      fingerprint: fingerprintOf("{}"),
      startedAtMs: Date.now() - 120_000,
      expiresAtEpochSec: Math.floor(Date.now() / 1000) - 60,
    });
    let runs = 0;
    const handler = idempotent(
      () => {
        runs += 1;
      },
      { tableName: table(), client, logger: () => {} },
    );
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(response).toMatchObject({ statusCode: 409 });
    expect(runs).toBe(0);
  });

  test("still claims a key whose expired record is settled (COMPLETED) and not yet deleted by TTL", async () => {
    const key = newKey("expired-completed");
    await seedRecord(client, table(), `consumer-fn#${key}`, {
      status: "COMPLETED",
      fingerprint: "x",
      expiresAtEpochSec: Math.floor(Date.now() / 1000) - 60,
    });
    let runs = 0;
    const handler = idempotent(
      () => {
        runs += 1;
      },
      { tableName: table(), client, logger: () => {} },
    );
    expect(await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext())).toMatchObject({
      statusCode: 200,
    });
    expect(runs).toBe(1);
  });
});

describe("idempotent() on SQS batches and the time left", () => {
  test("rejects at the first invocation a lease shorter than the remaining time, as the middleware does", async () => {
    const handler = idempotent(() => "ok", { tableName: table(), client, inProgressLeaseSeconds: 5, logger: () => {} });
    await expect(handler(sqsEvent([sqsRecord({}, newKey("lease"))]), lambdaContext("fn", 30_000))).rejects.toThrow(
      /inProgressLeaseSeconds/,
    );
  });

  test("stops claiming when the time left cannot cover a handler run and a commit, and reports the unclaimed records", async () => {
    const started: string[] = [];
    const handler = idempotent(
      async ({ key }) => {
        started.push(key);
        await sleep(250);
      },
      { tableName: table(), client, retentionSeconds: 60, logger: () => {} },
    );
    const records = [1, 2, 3, 4, 5].map((i) => sqsRecord({ i }, newKey(`budget-${i}`)));
    // 1.2 s: room for the first record (250 ms + 500 ms commit reserve) and one more, not for five.
    const response = (await handler(sqsEvent(records), runningContext(1_200))) as {
      batchItemFailures: { itemIdentifier: string }[];
    };
    expect(started.length).toBeGreaterThanOrEqual(1);
    expect(started.length).toBeLessThan(5);
    const reported = response.batchItemFailures.map((f) => f.itemIdentifier);
    expect(reported).toEqual(records.slice(started.length).map((r) => r.messageId));
    for (const record of records.slice(started.length)) {
      const key = record.messageAttributes.IdempotencyKey?.stringValue as string;
      expect(await getItem(client, table(), `consumer-fn#${key}`)).toBeUndefined();
    }
  });

  test("reports a record whose handler is still running when the invocation ends, and keeps its claim IN_PROGRESS", async () => {
    const handler = idempotent(
      async ({ signal }) => {
        await sleep(2_000);
        if (signal.aborted) return;
      },
      { tableName: table(), client, onError: "release", retentionSeconds: 60, logger: () => {} },
    );
    const key = newKey("batch-timeout");
    const records = [sqsRecord({}, key), sqsRecord({}, newKey("after"))];
    const response = await handler(sqsEvent(records), runningContext(900));
    expect(response).toEqual({ batchItemFailures: records.map((r) => ({ itemIdentifier: r.messageId })) });
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "IN_PROGRESS" });
  });
});
