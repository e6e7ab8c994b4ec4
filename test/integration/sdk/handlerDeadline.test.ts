import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { idempotent as expressIdempotent, keepRawBody } from "../../../sdk/express.ts";
import { idempotent as fastifyIdempotent, oncegate } from "../../../sdk/fastify.ts";
import {
  DbClosedError,
  HandlerTimedOutError,
  type IdempotencyOptions,
  type IdempotentCall,
  InProgressError,
  makeIdempotent,
} from "../../../sdk/index.ts";
import { idempotent as webIdempotent } from "../../../sdk/web.ts";
import { postWebhook } from "../../support/chargeRouteCases.ts";
import { createTable, deleteTable, getItem, localClient, scanAll } from "../../support/dynamoDbTables.ts";

// Outside Lambda a run has no end but the one `timeoutSeconds` gives it: the handler's AbortSignal fires at the
// deadline, the SDK stops waiting (504 / HandlerTimedOutError), closes its db and leaves the record IN_PROGRESS;
// with a lease, a later delivery takes it over once the lease ends. Against DynamoDB Local, with real timers.
const client = localClient();
let records: string;
let charges: string;
beforeAll(async () => {
  records = await createTable(client, "deadline-records");
  charges = await createTable(client, "deadline-charges");
});
afterAll(async () => {
  for (const name of [records, charges]) await deleteTable(client, name);
  client.destroy();
});

const chargesFor = async (key: string) =>
  (await scanAll(client, charges)).filter((item) => (item as { id?: string }).id === key);

/** A promise and the function that resolves it. */
function latch<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("makeIdempotent with timeoutSeconds", () => {
  const options = (scope: string) => ({ tableName: records, client, logger: () => {}, scope, timeoutSeconds: 1 });

  test("a run past its deadline: the signal fires at it, the call throws 504 handler_timed_out, the record stays IN_PROGRESS, a late db write throws", async () => {
    const lateWrite = latch<unknown>();
    let reason: unknown;
    const charge = makeIdempotent(
      async ({ key, db, signal }, amount: number) => {
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        reason = signal.reason;
        // A handler that goes on regardless: its write can no longer be committed.
        await db.put({ TableName: charges, Item: { id: key, amount } }).then(
          () => lateWrite.resolve("written"),
          (error: unknown) => lateWrite.resolve(error),
        );
        return { charged: amount };
      },
      { ...options("late"), key: (_amount: number) => "late" },
    );

    const startedMs = Date.now();
    const error = await charge(5).catch((thrown: unknown) => thrown);
    const elapsedMs = Date.now() - startedMs;

    expect(error).toBeInstanceOf(HandlerTimedOutError);
    expect(error).toMatchObject({ code: "handler_timed_out", statusCode: 504 });
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(elapsedMs).toBeLessThan(1_800);
    expect(reason).toMatchObject({ name: "TimeoutError" });
    expect(await lateWrite.promise).toBeInstanceOf(DbClosedError);
    expect(await getItem(client, records, "late#late")).toMatchObject({ status: "IN_PROGRESS" });
    expect(await chargesFor("late")).toEqual([]);
    // No lease: at most once, never re-run.
    await expect(charge(5)).rejects.toBeInstanceOf(InProgressError);
  });

  test("a run that ignores the signal and returns late: its result is never committed", async () => {
    let runs = 0;
    const charge = makeIdempotent(
      async () => {
        runs += 1;
        await sleep(1_400);
        return { charged: 1 };
      },
      { ...options("ignores"), key: () => "ignores" },
    );

    await expect(charge()).rejects.toBeInstanceOf(HandlerTimedOutError);
    await sleep(700);

    expect(runs).toBe(1);
    expect(await getItem(client, records, "ignores#ignores")).toMatchObject({ status: "IN_PROGRESS" });
  });

  test("a run that ends in time: completed as usual, and its signal never fires", async () => {
    let signal: AbortSignal | undefined;
    const charge = makeIdempotent(
      async (call) => {
        signal = call.signal;
        return { charged: 2 };
      },
      { ...options("quick"), key: () => "quick" },
    );

    expect(await charge()).toEqual({ charged: 2 });
    await sleep(1_200);

    expect(signal?.aborted).toBe(false);
    expect(await getItem(client, records, "quick#quick")).toMatchObject({ status: "COMPLETED" });
  });

  test("with a lease: after it ends a later call takes the claim over and runs once; the first run, waking late, commits nothing", async () => {
    let offsetMs = 0;
    const clock = { nowMs: () => Date.now() + offsetMs };
    const firstRunGoesOn = latch();
    const firstRunLateWrite = latch<unknown>();
    let runs = 0;
    const charge = makeIdempotent(
      async ({ key, db, signal }, amount: number) => {
        runs += 1;
        if (runs === 1) {
          await new Promise((resolve) => signal.addEventListener("abort", resolve));
          await firstRunGoesOn.promise;
          await db.put({ TableName: charges, Item: { id: key, amount, run: 1 } }).catch(firstRunLateWrite.resolve);
          return { charged: amount, run: 1 };
        }
        await db.put({ TableName: charges, Item: { id: key, amount, run: runs } });
        return { charged: amount, run: runs };
      },
      { ...options("lease"), key: (_amount: number) => "lease", inProgressLeaseSeconds: 11, clock },
    );

    await expect(charge(9)).rejects.toBeInstanceOf(HandlerTimedOutError);
    // Inside the lease: refused, as without one.
    await expect(charge(9)).rejects.toBeInstanceOf(InProgressError);

    offsetMs = 12_000;
    expect(await charge(9)).toEqual({ charged: 9, run: 2 });
    firstRunGoesOn.resolve();

    expect(await firstRunLateWrite.promise).toBeInstanceOf(DbClosedError);
    expect(await charge(9)).toEqual({ charged: 9, run: 2 });
    expect(runs).toBe(2);
    expect(await chargesFor("lease")).toEqual([{ id: "lease", amount: 9, run: 2 }]);
    expect(await getItem(client, records, "lease#lease")).toMatchObject({ status: "COMPLETED" });
  });
});

/** What a route's handler does, whatever the framework, and the answer it then gives through it. */
type Run = (call: IdempotentCall) => Promise<{ status: number; body: Record<string, unknown> }>;
interface Route {
  path: string;
  run: Run;
  options: Partial<IdempotencyOptions>;
}
type Serve = (routes: Route[]) => Promise<{ url: string; close: () => Promise<void> }>;

/** A Node server's URL once it listens, and a close that waits for its connections. */
async function listeningAt(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const FRAMEWORKS: [string, Serve][] = [
  [
    "Express",
    async (routes) => {
      const app = express();
      app.use(express.json({ verify: keepRawBody }));
      for (const { path, run, options } of routes) {
        app.post(
          path,
          expressIdempotent(async (input) => {
            const { status, body } = await run(input);
            input.res.status(status).json(body);
          }, options),
        );
      }
      return listeningAt(app.listen(0, "127.0.0.1"));
    },
  ],
  [
    "Fastify",
    async (routes) => {
      const app = Fastify();
      await app.register(oncegate);
      for (const { path, run, options } of routes) {
        app.post(
          path,
          fastifyIdempotent(async (input) => {
            const { status, body } = await run(input);
            input.reply.code(status).send(body);
          }, options),
        );
      }
      return { url: await app.listen({ port: 0, host: "127.0.0.1" }), close: () => app.close() };
    },
  ],
  [
    "Web (Hono)",
    async (routes) => {
      const app = new Hono();
      for (const { path, run, options } of routes) {
        const handler = webIdempotent(async (input) => {
          const { status, body } = await run(input);
          return Response.json(body, { status });
        }, options);
        app.post(path, (c) => handler(c.req.raw));
      }
      return listeningAt(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
    },
  ],
];

describe.each(FRAMEWORKS)("%s with timeoutSeconds, over HTTP", (name, serveRoutes) => {
  const scope = `deadline-${name.replace(/\W/g, "").toLowerCase()}`;
  let offsetMs = 0;
  const clock = { nowMs: () => Date.now() + offsetMs };
  const options = { tableName: records, client, logger: () => {}, scope, timeoutSeconds: 1, clock };
  const runs: Record<string, number> = {};
  const lateWrites: Record<string, ReturnType<typeof latch<unknown>>> = {};
  // The first run of a key waits for its signal, then goes on regardless: answers 201 and writes through db. Any
  // later run charges at once.
  const run: Run = async ({ key, db, signal }) => {
    runs[key] = (runs[key] ?? 0) + 1;
    const runNumber = runs[key];
    if (runNumber === 1) {
      const late = latch<unknown>();
      lateWrites[key] = late;
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      await sleep(50); // the 504 has left by now
      await db.put({ TableName: charges, Item: { id: key, run: runNumber } }).then(
        () => late.resolve("written"),
        (error: unknown) => late.resolve(error),
      );
      return { status: 201, body: { run: runNumber, late: true } };
    }
    await db.put({ TableName: charges, Item: { id: key, run: runNumber } });
    return { status: 201, body: { run: runNumber } };
  };
  let server: Awaited<ReturnType<Serve>>;
  beforeAll(async () => {
    server = await serveRoutes([
      { path: "/late", run, options: { ...options, tableName: records } },
      { path: "/lease", run, options: { ...options, tableName: records, inProgressLeaseSeconds: 11 } },
    ]);
  });
  afterAll(() => server.close());
  const post = (path: string, key: string) => postWebhook(`${server.url}${path}`, key, '{"amount":3}');

  test("a handler past its deadline is answered 504 handler_timed_out then; what it answers and writes after is dropped; the key stays IN_PROGRESS", async () => {
    const key = `${scope}-late`;
    const startedMs = Date.now();
    const answer = await post("/late", key);
    const elapsedMs = Date.now() - startedMs;

    expect(answer.status).toBe(504);
    expect(await answer.json()).toMatchObject({ ok: false, error: "handler_timed_out" });
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
    expect(elapsedMs).toBeLessThan(1_800);
    expect(await lateWrites[key]?.promise).toBeInstanceOf(DbClosedError);
    await sleep(50); // the late 201, if it could leave, would have left
    const duplicate = await post("/late", key);
    expect(duplicate.status).toBe(409);
    expect(await duplicate.json()).toMatchObject({ error: "in_progress" });
    expect(runs[key]).toBe(1);
    expect(await getItem(client, records, `${scope}#${key}`)).toMatchObject({ status: "IN_PROGRESS" });
    expect(await chargesFor(key)).toEqual([]);
  });

  test("with a lease: refused 409 until it ends, then a later delivery runs once (201, replayed after); the first run commits nothing", async () => {
    const key = `${scope}-lease`;
    expect((await post("/lease", key)).status).toBe(504);
    expect((await post("/lease", key)).status).toBe(409);

    offsetMs = 12_000;
    const takeover = await post("/lease", key);
    expect([takeover.status, await takeover.json()]).toEqual([201, { run: 2 }]);
    const replay = await post("/lease", key);
    expect([replay.status, replay.headers.get("idempotency-status"), await replay.json()]).toEqual([
      201,
      "replayed",
      { run: 2 },
    ]);

    expect(await lateWrites[key]?.promise).toBeInstanceOf(DbClosedError);
    expect(runs[key]).toBe(2);
    expect(await chargesFor(key)).toEqual([{ id: key, run: 2 }]);
    expect(await getItem(client, records, `${scope}#${key}`)).toMatchObject({ status: "COMPLETED" });
  });
});
