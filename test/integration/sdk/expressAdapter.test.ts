import { spawn } from "node:child_process";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import express5 from "express";
import express4 from "express4";
import { idempotent, keepRawBody } from "../../../sdk/express.ts";
import { postWebhook, repeatedKeyCases, withoutEnv } from "../../support/chargeRouteCases.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";

/**
 * `@oncegate/sdk/express` on real Express 5 and 4 servers over HTTP, against DynamoDB Local: WebhookGate's locked API
 * (`app.post(path, idempotent(async ({ req, res, event, db, key }) => …))`), the table from the environment.
 */

const ROOT = new URL("../../../", import.meta.url).pathname;
const client = localClient();
const logged: Record<string, unknown>[] = [];
let records: string;
let charges: string;
beforeAll(async () => {
  records = await createTable(client, "express-records");
  charges = await createTable(client, "express-charges");
  process.env.ONCEGATE_IDEMPOTENCY_TABLE = records;
});
afterAll(async () => {
  delete process.env.ONCEGATE_IDEMPOTENCY_TABLE;
  delete process.env.ONCEGATE_SCOPE;
  for (const name of [records, charges]) await deleteTable(client, name);
  client.destroy();
});

type ExpressFactory = typeof express5;
const VERSIONS: [string, ExpressFactory][] = [
  ["Express 5", express5],
  ["Express 4", express4 as unknown as ExpressFactory],
];

async function listen(app: ReturnType<ExpressFactory>) {
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const post = postWebhook;

const common = { client, logger: (line: Record<string, unknown>) => void logged.push(line) };

describe.each(VERSIONS)("%s", (name, express) => {
  let runs: Record<string, number>;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    runs = {};
    const app = express();
    const rawKept = express.json({ verify: keepRawBody });
    // WebhookGate's snippet: the handler answers through res, and writes its charge through db.
    app.post(
      "/webhooks/stripe",
      rawKept,
      idempotent(
        async ({ res, event, db, key }) => {
          runs[key] = (runs[key] ?? 0) + 1;
          const { amount, fail } = event as { amount: number; fail?: boolean };
          await db.put({ TableName: charges, Item: { id: key, amount } });
          await new Promise((resolve) => setTimeout(resolve, 50));
          if (fail) throw new Error("payment provider refused");
          res.status(201).set("x-charge", key).json({ charged: amount });
        },
        { ...common, scope: name },
      ),
    );
    // A handler that returns a value instead of answering.
    app.post(
      "/webhooks/returns",
      rawKept,
      idempotent(
        async ({ key }) => {
          runs[key] = (runs[key] ?? 0) + 1;
          return { seen: key };
        },
        { ...common, scope: `${name}-returns` },
      ),
    );
    // A consumer that answers 503 while its own dependency is down, with onError: "release" so the sender's retry runs
    // it again.
    app.post(
      "/webhooks/busy",
      rawKept,
      idempotent(
        async ({ res, key }) => {
          runs[key] = (runs[key] ?? 0) + 1;
          if (runs[key] === 1) res.status(503).json({ busy: true });
          else res.status(202).json({ done: true });
        },
        { ...common, scope: `${name}-busy`, onError: "release" },
      ),
    );
    // A plain express.json(): no raw bytes, the canonical JSON of the parsed body is fingerprinted.
    app.post(
      "/parsed",
      express.json(),
      idempotent(
        async ({ key }) => {
          runs[key] = (runs[key] ?? 0) + 1;
        },
        { ...common, scope: `${name}-parsed` },
      ),
    );
    server = await listen(app);
  });
  afterAll(async () => {
    await server.close();
  });

  test("50 concurrent duplicates run the handler once; every answer is the first one's or 409 in progress", async () => {
    const key = `whk_${name.replace(" ", "")}_storm`;
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(`${server.url}/webhooks/stripe`, key, '{"amount":1000}')),
    );
    expect(runs[key]).toBe(1);
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((status) => status === 201 || status === 409)).toBe(true);
    // After it: always the stored answer, same status, headers and body.
    const later = await post(`${server.url}/webhooks/stripe`, key, '{"amount":1000}');
    expect(later.status).toBe(201);
    expect(later.headers.get("x-charge")).toBe(key);
    expect(later.headers.get("idempotency-status")).toBe("replayed");
    expect(await later.json()).toEqual({ charged: 1000 });
    expect(await getItem(client, charges, key)).toEqual({ id: key, amount: 1000 });
    expect(await getItem(client, records, `${encodeURIComponent(name)}#${key}`)).toMatchObject({ status: "COMPLETED" });
  });

  test("a handler that throws answers 500 handler_failed, commits none of its db writes, and is never run again", async () => {
    const key = `whk_${name.replace(" ", "")}_fails`;
    const first = await post(`${server.url}/webhooks/stripe`, key, '{"amount":5,"fail":true}');
    expect(first.status).toBe(500);
    expect(await first.json()).toMatchObject({ ok: false, error: "handler_failed" });
    expect(await getItem(client, charges, key)).toBeUndefined();
    const again = await post(`${server.url}/webhooks/stripe`, key, '{"amount":5,"fail":true}');
    expect(again.status).toBe(422);
    expect(await again.json()).toMatchObject({ error: "previously_failed" });
    expect(runs[key]).toBe(1);
  });

  test("a 5xx the handler answers itself reaches the sender as it is, is not stored, and onError: release runs it again", async () => {
    const key = `whk_${name.replace(" ", "")}_busy`;
    const first = await post(`${server.url}/webhooks/busy`, key, "{}");
    expect(first.status).toBe(503);
    expect(await first.json()).toEqual({ busy: true });
    const retry = await post(`${server.url}/webhooks/busy`, key, "{}");
    expect(retry.status).toBe(202);
    const replay = await post(`${server.url}/webhooks/busy`, key, "{}");
    expect([replay.status, replay.headers.get("idempotency-status")]).toEqual([202, "replayed"]);
    expect(runs[key]).toBe(2);
  });

  test("a returned value answers 200 {ok, result}, replayed alike", async () => {
    const key = `whk_${name.replace(" ", "")}_returns`;
    const first = await post(`${server.url}/webhooks/returns`, key, "{}");
    const second = await post(`${server.url}/webhooks/returns`, key, "{}");
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await first.json()).toEqual({ ok: true, result: { seen: key } });
    expect(await second.json()).toEqual({ ok: true, result: { seen: key } });
    expect(runs[key]).toBe(1);
  });

  test("fingerprints the raw bytes with keepRawBody: bodies that parse alike are still told apart (422)", async () => {
    const key = `whk_${name.replace(" ", "")}_alike`;
    expect((await post(`${server.url}/webhooks/stripe`, key, '{"amount":10}')).status).toBe(201);
    // Parses to the same object, but it is not what was sent the first time.
    const other = await post(`${server.url}/webhooks/stripe`, key, '{"amount":1e1}');
    expect(other.status).toBe(422);
    expect(await other.json()).toMatchObject({ error: "idempotency_key_reused" });
  });

  test("with a plain express.json(), falls back to the parsed body's canonical JSON: key order does not matter", async () => {
    const key = `whk_${name.replace(" ", "")}_parsed`;
    expect((await post(`${server.url}/parsed`, key, '{"a":1,"b":2}')).status).toBe(200);
    const reordered = await post(`${server.url}/parsed`, key, '{"b":2,"a":1}');
    expect(reordered.status).toBe(200);
    expect(reordered.headers.get("idempotency-status")).toBe("replayed");
    expect((await post(`${server.url}/parsed`, key, '{"a":1,"b":3}')).status).toBe(422);
    expect(runs[key]).toBe(1);
  });

  test("a request without an Idempotency-Key is refused 400, and the handler does not run", async () => {
    const answer = await post(`${server.url}/webhooks/stripe`, undefined, '{"amount":1}');
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ ok: false, error: "missing_idempotency_key" });
  });

  repeatedKeyCases(
    `whk_${name.replace(" ", "")}`,
    () => `${server.url}/webhooks/stripe`,
    () => ({ client, records, charges, runs }),
  );
});

describe("configuration", () => {
  test("takes the table from ONCEGATE_IDEMPOTENCY_TABLE and refuses to start without one, naming the variable", () => {
    withoutEnv("ONCEGATE_IDEMPOTENCY_TABLE", () =>
      expect(() => idempotent(async () => {})).toThrow("ONCEGATE_IDEMPOTENCY_TABLE is not set"),
    );
    expect(() => idempotent(async () => {}, { tableName: "t", colour: "blue" } as never)).toThrow("colour");
    // A lease needs a deadline that ends the run it covers: a server has none but timeoutSeconds.
    expect(() => idempotent(async () => {}, { tableName: "t", inProgressLeaseSeconds: 30 })).toThrow(
      "`inProgressLeaseSeconds`: needs timeoutSeconds outside Lambda",
    );
  });
});

describe("a consumer process killed mid-handler", () => {
  async function startConsumer() {
    const child = spawn(process.execPath, [join(ROOT, "test/support/expressConsumerProcess.ts")], {
      env: { ...process.env, ONCEGATE_IDEMPOTENCY_TABLE: records, ONCEGATE_SCOPE: "killed" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const [line] = (await once(child.stdout, "data")) as [Buffer];
    const { port } = JSON.parse(line.toString().split("\n")[0] ?? "") as { port: number };
    return { child, url: `http://127.0.0.1:${port}/webhooks` };
  }

  test("is never run again for that key after a restart: 409 in progress (at-most-once)", async () => {
    const key = `whk_killed_${Date.now()}`;
    const first = await startConsumer();
    const exited = once(first.child, "exit");
    await expect(post(first.url, key, '{"crash":true}')).rejects.toThrow();
    const [code, signal] = (await exited) as [number | null, string | null];
    expect([code, signal]).toEqual([null, "SIGKILL"]);

    const restarted = await startConsumer();
    try {
      const retry = await post(restarted.url, key, '{"crash":true}');
      expect(retry.status).toBe(409);
      expect(await retry.json()).toMatchObject({ error: "in_progress" });
      expect(retry.headers.get("retry-after")).toBe("5");
      // Another key still runs on the restarted process.
      expect((await post(restarted.url, `${key}_other`, "{}")).status).toBe(201);
    } finally {
      restarted.child.kill("SIGTERM");
      await once(restarted.child, "exit");
    }
    expect(await getItem(client, records, `killed#${key}`)).toMatchObject({ status: "IN_PROGRESS" });
  });
});
