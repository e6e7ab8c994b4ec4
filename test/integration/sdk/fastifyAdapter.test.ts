import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import Fastify, { type FastifyInstance } from "fastify";
import { idempotent, oncegate } from "../../../sdk/fastify.ts";
import { chargeRouteCases, postWebhook } from "../../support/chargeRouteCases.ts";
import { createTable, deleteTable, localClient } from "../../support/dynamoDbTables.ts";

/** `@oncegate/sdk/fastify` on a real Fastify 5 server over HTTP, against DynamoDB Local. */

const client = localClient();
let records: string;
let charges: string;
let app: FastifyInstance;
let url: string;
const runs: Record<string, number> = {};
const count = (key: string) => {
  runs[key] = (runs[key] ?? 0) + 1;
};

beforeAll(async () => {
  records = await createTable(client, "fastify-records");
  charges = await createTable(client, "fastify-charges");
  const options = { tableName: records, client, logger: () => {} };
  app = Fastify();
  // The plugin in a scope: its routes fingerprint the bytes as sent.
  await app.register(async (scope) => {
    await scope.register(oncegate);
    scope.post(
      "/webhooks/stripe",
      idempotent(
        async ({ reply, event, db, key }) => {
          count(key);
          const { amount, fail } = event as { amount: number; fail?: boolean };
          await db.put({ TableName: charges, Item: { id: key, amount } });
          await new Promise((resolve) => setTimeout(resolve, 50));
          if (fail) throw new Error("payment provider refused");
          reply.code(201).header("x-charge", key).send({ charged: amount });
        },
        { ...options, scope: "fastify" },
      ),
    );
  });
  // Without the plugin: Fastify's own JSON parser, the parsed body's canonical JSON fingerprinted; a returned value.
  app.post(
    "/parsed",
    idempotent(
      async ({ key }) => {
        count(key);
        return { seen: key };
      },
      { ...options, scope: "fastify-parsed" },
    ),
  );
  url = await app.listen({ port: 0, host: "127.0.0.1" });
});
afterAll(async () => {
  await app.close();
  for (const name of [records, charges]) await deleteTable(client, name);
  client.destroy();
});

const post = (path: string, key: string | undefined, body: string) => postWebhook(`${url}${path}`, key, body);

describe("the Fastify adapter", () => {
  chargeRouteCases(
    "whk_fastify",
    () => `${url}/webhooks/stripe`,
    () => ({ client, records, charges, runs }),
  );

  test("without it, the parsed body's canonical JSON: key order does not count; a returned value is answered 200", async () => {
    const key = "whk_fastify_parsed";
    const first = await post("/parsed", key, '{"a":1,"b":2}');
    expect(await first.json()).toEqual({ ok: true, result: { seen: key } });
    const reordered = await post("/parsed", key, '{"b":2,"a":1}');
    expect([reordered.status, reordered.headers.get("idempotency-status")]).toEqual([200, "replayed"]);
    expect((await post("/parsed", key, '{"a":1,"b":3}')).status).toBe(422);
    expect(runs[key]).toBe(1);
  });
});
