import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Hono } from "hono";
import { idempotent } from "../../../sdk/web.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";

/**
 * `@oncegate/sdk/web` (`Request → Response`) under Hono, served over HTTP by @hono/node-server, against DynamoDB
 * Local: the docs' Hono example.
 */

const client = localClient();
let records: string;
let charges: string;
let url: string;
let close: () => Promise<void>;
const runs: Record<string, number> = {};
const count = (key: string) => {
  runs[key] = (runs[key] ?? 0) + 1;
};

beforeAll(async () => {
  records = await createTable(client, "web-records");
  charges = await createTable(client, "web-charges");
  const options = { tableName: records, client, logger: () => {} };
  const app = new Hono();
  // The docs' example: the handler answers with a Response, and writes its charge through db.
  const charge = idempotent(
    async ({ event, db, key }) => {
      count(key);
      const { amount, fail } = event as { amount: number; fail?: boolean };
      await db.put({ TableName: charges, Item: { id: key, amount } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (fail) throw new Error("payment provider refused");
      return Response.json({ charged: amount }, { status: 201, headers: { "x-charge": key } });
    },
    { ...options, scope: "hono" },
  );
  app.post("/webhooks/stripe", (c) => charge(c.req.raw));
  const returns = idempotent(
    async ({ key, request }) => {
      count(key);
      return { seen: key, text: await request.text() };
    },
    { ...options, scope: "hono-returns" },
  );
  app.post("/webhooks/returns", (c) => returns(c.req.raw));
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await close();
  for (const name of [records, charges]) await deleteTable(client, name);
  client.destroy();
});

function post(path: string, key: string | undefined, body: string) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { "idempotency-key": key }) },
    body,
  });
}

describe("the Web-standard adapter under Hono", () => {
  test("50 concurrent duplicates run the handler once; later ones get its Response again", async () => {
    const key = "whk_hono_storm";
    const answers = await Promise.all(Array.from({ length: 50 }, () => post("/webhooks/stripe", key, '{"amount":70}')));
    expect(runs[key]).toBe(1);
    expect(answers.every((answer) => answer.status === 201 || answer.status === 409)).toBe(true);
    const later = await post("/webhooks/stripe", key, '{"amount":70}');
    expect([later.status, later.headers.get("x-charge"), later.headers.get("idempotency-status")]).toEqual([
      201,
      key,
      "replayed",
    ]);
    expect(await later.json()).toEqual({ charged: 70 });
    expect(await getItem(client, charges, key)).toEqual({ id: key, amount: 70 });
  });

  test("a handler that throws answers 500, commits none of its writes, and is refused after (onError: fail)", async () => {
    const key = "whk_hono_fails";
    const first = await post("/webhooks/stripe", key, '{"amount":1,"fail":true}');
    expect([first.status, ((await first.json()) as { error: string }).error]).toEqual([500, "handler_failed"]);
    expect(await getItem(client, charges, key)).toBeUndefined();
    expect((await post("/webhooks/stripe", key, '{"amount":1,"fail":true}')).status).toBe(422);
    expect(runs[key]).toBe(1);
  });

  test("fingerprints the bytes as sent, and gives the handler a request whose body it can still read", async () => {
    const key = "whk_hono_bytes";
    const first = await post("/webhooks/returns", key, '{"n":10}');
    expect(await first.json()).toEqual({ ok: true, result: { seen: key, text: '{"n":10}' } });
    expect((await post("/webhooks/returns", key, '{"n":1e1}')).status).toBe(422);
    const replay = await post("/webhooks/returns", key, '{"n":10}');
    expect(replay.headers.get("idempotency-status")).toBe("replayed");
    expect(runs[key]).toBe(1);
  });

  test("refuses a request without a key 400, and a missing table at start-up", async () => {
    const answer = await post("/webhooks/stripe", undefined, "{}");
    expect([answer.status, ((await answer.json()) as { error: string }).error]).toEqual([
      400,
      "missing_idempotency_key",
    ]);
    const saved = process.env.ONCEGATE_IDEMPOTENCY_TABLE;
    delete process.env.ONCEGATE_IDEMPOTENCY_TABLE;
    try {
      expect(() => idempotent(async () => {})).toThrow("ONCEGATE_IDEMPOTENCY_TABLE is not set");
    } finally {
      if (saved !== undefined) process.env.ONCEGATE_IDEMPOTENCY_TABLE = saved;
    }
  });
});
