import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { Hono } from "hono";
import { idempotent } from "../../../sdk/web.ts";
import { chargeRouteCases, postWebhook, withoutEnv } from "../../support/chargeRouteCases.ts";
import { createTable, deleteTable, localClient } from "../../support/dynamoDbTables.ts";

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

const post = (path: string, key: string | undefined, body: string) => postWebhook(`${url}${path}`, key, body);

describe("the Web-standard adapter under Hono", () => {
  chargeRouteCases(
    "whk_hono",
    () => `${url}/webhooks/stripe`,
    () => ({ client, records, charges, runs }),
  );

  test("fingerprints the bytes as sent, and gives the handler a request whose body it can still read", async () => {
    const key = "whk_hono_readable";
    const first = await post("/webhooks/returns", key, '{"n":10}');
    expect(await first.json()).toEqual({ ok: true, result: { seen: key, text: '{"n":10}' } });
    expect((await post("/webhooks/returns", key, '{"n":1e1}')).status).toBe(422);
    const replay = await post("/webhooks/returns", key, '{"n":10}');
    expect(replay.headers.get("idempotency-status")).toBe("replayed");
    expect(runs[key]).toBe(1);
  });

  test("refuses to start without a table, naming the variable", () => {
    withoutEnv("ONCEGATE_IDEMPOTENCY_TABLE", () =>
      expect(() => idempotent(async () => {})).toThrow("ONCEGATE_IDEMPOTENCY_TABLE is not set"),
    );
  });
});
