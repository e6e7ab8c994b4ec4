import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { idempotency } from "../../../sdk/index.ts";
import { createTable, deleteTable, getItem, localClient, scanAll } from "../../support/dynamoDbTables.ts";
import { bodyOf, eventBridgeEvent, httpApiEvent, lambdaContext, restApiEvent } from "../../support/lambdaEvents.ts";

const client = localClient();
let table: string;
const logs: Record<string, unknown>[] = [];
const quiet = (line: Record<string, unknown>) => logs.push(line);

beforeAll(async () => {
  table = await createTable(client, "sdk-middleware");
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

function counted(run: (event: unknown) => unknown = () => ({ statusCode: 201, body: '{"charged":true}' })) {
  const calls = { count: 0 };
  const handler = middy(async (event: unknown) => {
    calls.count += 1;
    return run(event);
  }).use(idempotency({ tableName: table, client, logger: quiet }));
  return { handler: handler as unknown as (e: unknown, c: unknown) => Promise<unknown>, calls };
}

const uniqueKey = (() => {
  let n = 0;
  return (label: string) => `${label}-${Date.now()}-${n++}`;
})();

describe("idempotency middleware, HTTP events", () => {
  test("runs the handler once for 50 concurrent invocations with one key; the others get replay or in-progress", async () => {
    const { handler, calls } = counted(async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { statusCode: 201, body: '{"charged":true}' };
    });
    const key = uniqueKey("storm");
    const responses = (await Promise.all(
      Array.from({ length: 50 }, () =>
        handler(httpApiEvent({ amount: 1000 }, { "Idempotency-Key": key }), lambdaContext()),
      ),
    )) as { statusCode: number; headers?: Record<string, string> }[];
    expect(calls.count).toBe(1);
    expect(responses.filter((r) => r.statusCode === 201)).toHaveLength(
      1 + responses.filter((r) => r.headers?.["Idempotency-Status"] === "replayed").length,
    );
    const executed = responses.filter((r) => r.statusCode === 201 && !r.headers?.["Idempotency-Status"]);
    const inProgress = responses.filter((r) => r.statusCode === 409);
    const replayed = responses.filter((r) => r.headers?.["Idempotency-Status"] === "replayed");
    expect(executed).toHaveLength(1);
    expect(inProgress.length + replayed.length).toBe(49);
    for (const r of inProgress) expect(r.headers?.["Retry-After"]).toBe("5");
  });

  test("runs exactly 500 handlers for 500 keys × 10 concurrent duplicates", async () => {
    const { handler, calls } = counted();
    const prefix = uniqueKey("bulk");
    const invocations = [];
    for (let copy = 0; copy < 10; copy++) {
      for (let k = 0; k < 500; k++) {
        invocations.push(() => handler(httpApiEvent({ k }, { "idempotency-key": `${prefix}-${k}` }), lambdaContext()));
      }
    }
    // Interleave copies of the same key, 100 in flight at a time.
    const results: unknown[] = [];
    for (let i = 0; i < invocations.length; i += 100) {
      results.push(...(await Promise.all(invocations.slice(i, i + 100).map((run) => run()))));
    }
    expect(calls.count).toBe(500);
    const completed = (await scanAll(client, table)).filter(
      (item) => String(item.id).startsWith(`consumer-fn#${prefix}-`) && item.status === "COMPLETED",
    );
    expect(completed).toHaveLength(500);
  });

  test("replays the stored response with the same status and body, and Idempotency-Status: replayed", async () => {
    const { handler, calls } = counted(() => ({
      statusCode: 202,
      headers: { "X-Charge": "ch_1" },
      body: '{"id":"ch_1"}',
    }));
    const event = httpApiEvent({ amount: 5 }, { "Idempotency-Key": uniqueKey("replay") });
    const first = (await handler(event, lambdaContext())) as Record<string, unknown>;
    const second = (await handler(event, lambdaContext())) as Record<string, unknown>;
    expect(calls.count).toBe(1);
    expect(first).toEqual({ statusCode: 202, headers: { "X-Charge": "ch_1" }, body: '{"id":"ch_1"}' });
    expect(second).toEqual({
      statusCode: 202,
      headers: { "X-Charge": "ch_1", "Idempotency-Status": "replayed" },
      body: '{"id":"ch_1"}',
    });
  });

  test("replays a handler that returned undefined without running it again", async () => {
    const { handler, calls } = counted(() => undefined);
    const event = httpApiEvent({}, { "Idempotency-Key": uniqueKey("undef") });
    await handler(event, lambdaContext());
    const replay = await handler(event, lambdaContext());
    expect(calls.count).toBe(1);
    expect(bodyOf(replay)).toEqual({ ok: true, deduped: true });
  });

  test("stores an oversize response as a fingerprint and replays it as ok/deduped", async () => {
    const big = { statusCode: 200, body: "x".repeat(70 * 1024) };
    const { handler, calls } = counted(() => big);
    const key = uniqueKey("big");
    const event = httpApiEvent({}, { "Idempotency-Key": key });
    expect(await handler(event, lambdaContext())).toEqual(big);
    const replay = (await handler(event, lambdaContext())) as { statusCode: number; headers: Record<string, string> };
    expect(calls.count).toBe(1);
    expect(replay.statusCode).toBe(200);
    expect(replay.headers["Idempotency-Status"]).toBe("replayed");
    expect(bodyOf(replay)).toEqual({ ok: true, deduped: true });
    const record = await getItem(client, table, `consumer-fn#${key}`);
    expect(record).toMatchObject({ status: "COMPLETED", responseKind: "omitted" });
    expect(record?.response).toBeUndefined();
  });

  test("rejects a key reused with a different payload with 422 and leaves the record as it was", async () => {
    const { handler, calls } = counted();
    const key = uniqueKey("mismatch");
    await handler(httpApiEvent({ amount: 100 }, { "Idempotency-Key": key }), lambdaContext());
    const before = await getItem(client, table, `consumer-fn#${key}`);
    const response = await handler(httpApiEvent({ amount: 999 }, { "Idempotency-Key": key }), lambdaContext());
    expect(calls.count).toBe(1);
    expect((response as { statusCode: number }).statusCode).toBe(422);
    expect(bodyOf(response)).toMatchObject({ ok: false, error: "idempotency_key_reused" });
    expect(await getItem(client, table, `consumer-fn#${key}`)).toEqual(before);
  });

  test("answers 409 in_progress while the first invocation runs, and never runs the handler twice", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { handler, calls } = counted(async () => {
      await gate;
      return { statusCode: 200, body: "{}" };
    });
    const event = httpApiEvent({}, { "Idempotency-Key": uniqueKey("inprogress") });
    const first = handler(event, lambdaContext());
    await new Promise((r) => setTimeout(r, 100));
    const duplicate = (await handler(event, lambdaContext())) as {
      statusCode: number;
      headers: Record<string, string>;
    };
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers).toMatchObject({ "Idempotency-Status": "in-progress", "Retry-After": "5" });
    expect(bodyOf(duplicate)).toMatchObject({ ok: false, error: "in_progress" });
    release();
    await first;
    expect(calls.count).toBe(1);
  });

  test("answers 400 missing_idempotency_key without running the handler or writing anything", async () => {
    const { handler, calls } = counted();
    const itemsBefore = (await scanAll(client, table)).length;
    const response = await handler(httpApiEvent({ a: 1 }), lambdaContext());
    expect((response as { statusCode: number }).statusCode).toBe(400);
    expect(bodyOf(response)).toMatchObject({ ok: false, error: "missing_idempotency_key" });
    expect(calls.count).toBe(0);
    expect(await scanAll(client, table)).toHaveLength(itemsBefore);
  });

  test("answers 400 invalid_idempotency_key for long keys, control characters and conflicting values", async () => {
    const { handler, calls } = counted();
    const itemsBefore = (await scanAll(client, table)).length;
    const events = [
      httpApiEvent({}, { "Idempotency-Key": "k".repeat(256) }),
      httpApiEvent({}, { "Idempotency-Key": "bad\u0007key" }),
      { ...restApiEvent({}), multiValueHeaders: { "Idempotency-Key": ["a", "b"] } },
      // Payload format 2.0 has no multiValueHeaders: API Gateway and Function URLs join repeated lines with ",".
      httpApiEvent({}, { "Idempotency-Key": "a,b" }),
    ];
    for (const event of events) {
      const response = await handler(event, lambdaContext());
      expect((response as { statusCode: number }).statusCode).toBe(400);
      expect(bodyOf(response)).toMatchObject({ ok: false, error: "invalid_idempotency_key" });
    }
    expect(calls.count).toBe(0);
    expect(await scanAll(client, table)).toHaveLength(itemsBefore);
  });

  test("reads a key API Gateway HTTP API joined from repeated lines of one value as that key", async () => {
    const { handler, calls } = counted();
    const key = uniqueKey("joined");
    await handler(httpApiEvent({ a: 1 }, { "idempotency-key": `${key},${key}` }), lambdaContext());
    // The sender's retry with the header once meets the same record.
    await handler(httpApiEvent({ a: 1 }, { "idempotency-key": key }), lambdaContext());
    expect(calls.count).toBe(1);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
  });

  test("reads the key case-insensitively from REST API events, trimmed", async () => {
    const { handler, calls } = counted();
    const key = uniqueKey("rest");
    await handler(restApiEvent({ a: 1 }, { "IDEMPOTENCY-KEY": `  ${key} ` }), lambdaContext());
    await handler(restApiEvent({ a: 1 }, { "idempotency-key": key }), lambdaContext());
    expect(calls.count).toBe(1);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
  });

  test("completes the record it claimed even when the handler mutates the event", async () => {
    const key = uniqueKey("mutate");
    const { handler, calls } = counted((event) => {
      const e = event as { headers: Record<string, string>; body: string };
      e.headers["idempotency-key"] = "someone-else";
      e.body = '{"changed":true}';
      return { statusCode: 200, body: "{}" };
    });
    const event = () => httpApiEvent({ a: 1 }, { "idempotency-key": key });
    await handler(event(), lambdaContext());
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
    expect(await getItem(client, table, "consumer-fn#someone-else")).toBeUndefined();
    await handler(event(), lambdaContext());
    expect(calls.count).toBe(1);
  });

  test("keeps two consumers of one event apart by scope (the function name)", async () => {
    const { handler, calls } = counted();
    const event = httpApiEvent({}, { "Idempotency-Key": uniqueKey("scope") });
    await handler(event, lambdaContext("billing"));
    await handler(event, lambdaContext("emails"));
    await handler(event, lambdaContext("emails"));
    expect(calls.count).toBe(2);
  });

  test("writes IN_PROGRESS with owner token, fingerprint, start time and a TTL in epoch seconds", async () => {
    const key = uniqueKey("shape");
    let seen: Record<string, unknown> | undefined;
    const { handler } = counted(async () => {
      seen = await getItem(client, table, `consumer-fn#${key}`);
      return { statusCode: 200, body: "{}" };
    });
    const nowSec = Math.floor(Date.now() / 1000);
    await handler(httpApiEvent({ a: 1 }, { "Idempotency-Key": key }), lambdaContext());
    expect(seen).toMatchObject({
      status: "IN_PROGRESS",
      fingerprint: expect.any(String),
      ownerToken: expect.any(String),
    });
    expect(seen?.startedAtMs).toBeGreaterThan(nowSec * 1000 - 5_000);
    expect(seen?.expiresAt).toBeGreaterThanOrEqual(nowSec + 604_800 - 5);
    expect(seen?.expiresAt).toBeLessThanOrEqual(nowSec + 604_800 + 5);
  });
});

describe("idempotency middleware, EventBridge events", () => {
  test("uses the event id as key and returns the stored result to duplicates", async () => {
    const { handler, calls } = counted(() => ({ processed: true }));
    const event = eventBridgeEvent(uniqueKey("eb"), { orderId: 1 });
    expect(await handler(event, lambdaContext())).toEqual({ processed: true });
    expect(await handler(event, lambdaContext())).toEqual({ processed: true });
    expect(calls.count).toBe(1);
  });

  test("throws typed errors for refusals, since there is no HTTP response to answer with", async () => {
    const { handler } = counted(() => {
      throw new Error("boom");
    });
    const event = eventBridgeEvent(uniqueKey("eb-fail"), {});
    await expect(handler(event, lambdaContext())).rejects.toThrow("boom");
    await expect(handler(event, lambdaContext())).rejects.toMatchObject({ code: "previously_failed" });
  });

  test("rejects an event of unknown shape without getKey with a clear message", async () => {
    const { handler, calls } = counted();
    await expect(handler({ some: "event" }, lambdaContext())).rejects.toThrow(/getKey/);
    expect(calls.count).toBe(0);
  });
});
