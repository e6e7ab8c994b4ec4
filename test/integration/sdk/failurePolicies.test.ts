import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { type IdempotencyOptions, idempotency } from "../../../sdk/index.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";
import { bodyOf, httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";

const client = localClient();
let table: string;
beforeAll(async () => {
  table = await createTable(client, "sdk-policies");
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

let n = 0;
const newKey = (label: string) => `${label}-${Date.now()}-${n++}`;

function wrap(run: () => unknown, extra: Partial<IdempotencyOptions> = {}) {
  const calls = { count: 0 };
  const handler = middy(async () => {
    calls.count += 1;
    return run();
  }).use(idempotency({ tableName: table, client, logger: () => {}, ...extra }));
  return { handler: handler as unknown as (e: unknown, c: unknown) => Promise<{ statusCode: number }>, calls };
}

describe("onError: fail (default)", () => {
  test("marks the record FAILED with the error's name and message, answers 500 handler_failed, and never re-runs", async () => {
    const { handler, calls } = wrap(() => {
      throw new TypeError("card declined");
    });
    const key = newKey("fail");
    const event = httpApiEvent({ a: 1 }, { "Idempotency-Key": key });
    const first = await handler(event, lambdaContext());
    expect(first.statusCode).toBe(500);
    expect(bodyOf(first)).toMatchObject({ ok: false, error: "handler_failed" });
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({
      status: "FAILED",
      errorName: "TypeError",
      errorMessage: "card declined",
    });
    for (let i = 0; i < 3; i++) {
      const again = (await handler(event, lambdaContext())) as { statusCode: number; headers: Record<string, string> };
      expect(again.statusCode).toBe(422);
      expect(again.headers["Idempotency-Status"]).toBe("failed");
      expect(bodyOf(again)).toMatchObject({ ok: false, error: "previously_failed" });
    }
    expect(calls.count).toBe(1);
  });
});

describe("onError: release", () => {
  test("deletes the record so the next delivery runs the handler again", async () => {
    let attempt = 0;
    const { handler, calls } = wrap(
      () => {
        attempt += 1;
        if (attempt === 1) throw new Error("temporary");
        return { statusCode: 200, body: '{"done":true}' };
      },
      { onError: "release" },
    );
    const key = newKey("release");
    const event = httpApiEvent({}, { "Idempotency-Key": key });
    expect((await handler(event, lambdaContext())).statusCode).toBe(500);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toBeUndefined();
    expect((await handler(event, lambdaContext())).statusCode).toBe(200);
    expect((await handler(event, lambdaContext())).statusCode).toBe(200);
    expect(calls.count).toBe(2);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
  });
});

describe("owner token", () => {
  test("a handler whose claim was taken by someone else cannot complete it: 500 completion_failed, record untouched", async () => {
    const key = newKey("owner");
    const id = `consumer-fn#${key}`;
    const { handler } = wrap(async () => {
      // Simulates another invocation that took the claim over while this one was running.
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: id } },
          UpdateExpression: "SET ownerToken = :other",
          ExpressionAttributeValues: { ":other": { S: "another-owner" } },
        }),
      );
      return { statusCode: 200, body: "{}" };
    });
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toMatchObject({ error: "completion_failed" });
    expect(await getItem(client, table, id)).toMatchObject({ status: "IN_PROGRESS", ownerToken: "another-owner" });
  });

  test("a failing handler whose claim was taken over does not mark the new owner's record FAILED", async () => {
    const key = newKey("owner-fail");
    const id = `consumer-fn#${key}`;
    const { handler } = wrap(async () => {
      await client.send(
        new UpdateItemCommand({
          TableName: table,
          Key: { id: { S: id } },
          UpdateExpression: "SET ownerToken = :other",
          ExpressionAttributeValues: { ":other": { S: "another-owner" } },
        }),
      );
      throw new Error("late failure");
    });
    await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(await getItem(client, table, id)).toMatchObject({ status: "IN_PROGRESS", ownerToken: "another-owner" });
  });

  test("a duplicate refused as in progress never updates or deletes the existing record", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { handler } = wrap(async () => {
      await gate;
      throw new Error("first fails later");
    });
    const key = newKey("refused");
    const event = httpApiEvent({}, { "Idempotency-Key": key });
    const first = handler(event, lambdaContext());
    await new Promise((r) => setTimeout(r, 50));
    const before = await getItem(client, table, `consumer-fn#${key}`);
    expect((await handler(event, lambdaContext())).statusCode).toBe(409);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toEqual(before);
    release();
    await first;
  });
});

describe("crash without a lease", () => {
  test("a claim left IN_PROGRESS is never re-entered", async () => {
    const key = newKey("stuck");
    const blocked = wrap(() => new Promise(() => {})); // never settles: a crashed invocation
    void blocked.handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    await new Promise((r) => setTimeout(r, 50));
    const { handler, calls } = wrap(() => ({ statusCode: 200, body: "{}" }));
    for (let i = 0; i < 5; i++) {
      expect((await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext())).statusCode).toBe(409);
    }
    expect(calls.count).toBe(0);
  });
});

describe("inProgressLeaseSeconds", () => {
  test("lets a later invocation take over a claim whose lease ran out, and only then", async () => {
    let nowMs = Date.now();
    const clock = { nowMs: () => nowMs };
    const key = newKey("lease");
    const abandoned = wrap(() => new Promise(() => {}), { inProgressLeaseSeconds: 60, clock });
    void abandoned.handler(httpApiEvent({ a: 1 }, { "Idempotency-Key": key }), lambdaContext("consumer-fn", 60_000));
    await new Promise((r) => setTimeout(r, 50));

    const { handler, calls } = wrap(() => ({ statusCode: 200, body: "{}" }), { inProgressLeaseSeconds: 60, clock });
    nowMs += 30_000;
    const early = (await handler(
      httpApiEvent({ a: 1 }, { "Idempotency-Key": key }),
      lambdaContext("consumer-fn", 60_000),
    )) as {
      statusCode: number;
      headers: Record<string, string>;
    };
    expect(early.statusCode).toBe(409);
    expect(early.headers["Retry-After"]).toBe("30");
    // A different payload never takes over, even after the lease.
    nowMs += 31_000;
    const other = await handler(
      httpApiEvent({ a: 2 }, { "Idempotency-Key": key }),
      lambdaContext("consumer-fn", 60_000),
    );
    expect(other.statusCode).toBe(422);
    const late = await handler(
      httpApiEvent({ a: 1 }, { "Idempotency-Key": key }),
      lambdaContext("consumer-fn", 60_000),
    );
    expect(late.statusCode).toBe(200);
    expect(calls.count).toBe(1);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
  });

  test("rejects a lease shorter than the function timeout at the first invocation", async () => {
    const { handler, calls } = wrap(() => ({ statusCode: 200 }), { inProgressLeaseSeconds: 10 });
    await expect(
      handler(httpApiEvent({}, { "Idempotency-Key": newKey("short") }), lambdaContext("consumer-fn", 30_000)),
    ).rejects.toThrow(/inProgressLeaseSeconds/);
    expect(calls.count).toBe(0);
  });
});

describe("TTL", () => {
  test("treats a record past its expiry (not yet deleted by DynamoDB) as absent", async () => {
    let nowMs = Date.now();
    const clock = { nowMs: () => nowMs };
    const { handler, calls } = wrap(() => ({ statusCode: 200, body: "{}" }), { retentionSeconds: 60, clock });
    const event = httpApiEvent({}, { "Idempotency-Key": newKey("ttl") });
    await handler(event, lambdaContext());
    nowMs += 30_000;
    await handler(event, lambdaContext());
    expect(calls.count).toBe(1);
    nowMs += 61_000;
    await handler(event, lambdaContext());
    expect(calls.count).toBe(2);
  });
});
