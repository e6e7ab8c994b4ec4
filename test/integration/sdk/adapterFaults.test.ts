import { once } from "node:events";
import type { AddressInfo, Server } from "node:net";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import express, { type Response as ExpressResponse, type Request } from "express";
import fc from "fast-check";
import Fastify from "fastify";
import { Hono } from "hono";
import { seededRandom } from "../../../local/seededRandom.ts";
import { idempotent as expressIdempotent, keepRawBody } from "../../../sdk/express.ts";
import { idempotent as fastifyIdempotent, oncegate } from "../../../sdk/fastify.ts";
import { makeIdempotent, OncegateSdkError, type TransactionalDb } from "../../../sdk/index.ts";
import { idempotent as webIdempotent } from "../../../sdk/web.ts";
import { postWebhook } from "../../support/chargeRouteCases.ts";
import { getItem } from "../../support/dynamoDbTables.ts";
import {
  type DynamoCall,
  type FaultKind,
  type FaultPlan,
  faultTimes,
  faultyClient,
} from "../../support/dynamoFaults.ts";
import { newKey, suiteTables } from "../../support/suiteTables.ts";

/**
 * The server adapters (Express 5, Fastify 5, Web under Hono) and makeIdempotent under the faults DynamoDB really
 * produces, injected below the AWS SDK's retry middleware into the `client` each is given (test/support/dynamoFaults.ts),
 * against DynamoDB Local. Each target charges through `db` (an `ADD`, so a commit applied twice would show) and
 * answers `201`, `x-charge: <key>`, `{ charged: 25 }`. What the Lambda path does under the same faults
 * (lostAnswers, commitErrors, faultModel.property) is what every adapter must do.
 */
const tables = suiteTables("adapter-faults-records", "adapter-faults-charges");
const AMOUNT = 25;
const runs: Record<string, number> = {};

/** One delivery, alike for every target: the handler's answer (first or replayed), or the SDK's `<status> <code>`. */
type Outcome = { answer: { charged: number; charge: string | null }; replayed?: boolean } | { error: string };
type Logger = (line: Record<string, unknown>) => void;

interface Target {
  scope: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The charge made idempotent with `client`: from now on, one call delivers `key` once. */
  arm(client: DynamoDBClient, logger: Logger): (key: string) => Promise<Outcome>;
  /** How a completion that never committed is answered (nothing applied: the onError policy applies). */
  neverCommitted: string;
}

async function charge(db: TransactionalDb, key: string): Promise<number> {
  runs[key] = (runs[key] ?? 0) + 1;
  await db.update({
    TableName: tables.name(1),
    Key: { id: key },
    UpdateExpression: "ADD #n :one",
    ExpressionAttributeNames: { "#n": "count" },
    ExpressionAttributeValues: { ":one": 1 },
  });
  return AMOUNT;
}

const optionsFor = (scope: string, client: DynamoDBClient, logger: Logger) => ({
  tableName: tables.name(0),
  scope,
  client,
  logger,
});

async function outcomeOf(response: Response): Promise<Outcome> {
  const body = (await response.json()) as { charged: number; error?: string };
  if (response.status !== 201) return { error: `${response.status} ${body.error}` };
  const replayed = response.headers.get("idempotency-status") === "replayed";
  return { answer: { charged: body.charged, charge: response.headers.get("x-charge") }, replayed };
}

/**
 * A server adapter: `listen` serves POST /charge through whatever handler `arm` built last (the adapter's options,
 * its client among them, are fixed when the handler is made), so one server serves every test.
 */
function serverTarget<H>(
  scope: string,
  listen: (handler: () => H) => Promise<{ port: number; close: () => Promise<void> }>,
  wrap: (options: ReturnType<typeof optionsFor>) => H,
): Target {
  let current: H | undefined;
  let served: { port: number; close: () => Promise<void> } | undefined;
  return {
    scope,
    neverCommitted: "500 handler_failed",
    async start() {
      served = await listen(() => current as H);
    },
    stop: async () => served?.close(),
    arm(client, logger) {
      current = wrap(optionsFor(scope, client, logger));
      const url = `http://127.0.0.1:${served?.port}/charge`;
      return async (key) => outcomeOf(await postWebhook(url, key, `{"amount":${AMOUNT}}`));
    },
  };
}

/** A Node server once it listens: its port, and a close that waits for its connections to end. */
async function listening(server: Server) {
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

type ExpressHandler = ReturnType<typeof expressIdempotent<Request, ExpressResponse>>;
const expressTarget = serverTarget<ExpressHandler>(
  "express",
  async (handler) => {
    const app = express();
    app.post("/charge", express.json({ verify: keepRawBody }), (req, res, next) => handler()(req, res, next));
    return listening(app.listen(0, "127.0.0.1"));
  },
  (options) =>
    expressIdempotent<Request, ExpressResponse>(async ({ res, db, key }) => {
      const charged = await charge(db, key);
      res.status(201).set("x-charge", key).json({ charged });
    }, options),
);

type FastifyHandler = ReturnType<typeof fastifyIdempotent>;
const fastifyTarget = serverTarget<FastifyHandler>(
  "fastify",
  async (handler) => {
    const app = Fastify();
    await app.register(oncegate);
    app.post("/charge", (request, reply) => handler()(request, reply));
    const url = new URL(await app.listen({ port: 0, host: "127.0.0.1" }));
    return { port: Number(url.port), close: () => app.close() };
  },
  (options) =>
    fastifyIdempotent(async ({ reply, db, key }) => {
      const charged = await charge(db, key);
      reply.code(201).header("x-charge", key).send({ charged });
    }, options),
);

type WebHandler = ReturnType<typeof webIdempotent>;
const webTarget = serverTarget<WebHandler>(
  "hono",
  async (handler) => {
    const app = new Hono();
    app.post("/charge", (c) => handler()(c.req.raw));
    return listening(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }));
  },
  (options) =>
    webIdempotent(
      async ({ db, key }) =>
        Response.json({ charged: await charge(db, key) }, { status: 201, headers: { "x-charge": key } }),
      options,
    ),
);

const makeIdempotentTarget: Target = {
  scope: "make",
  // The reason the completion did not commit, thrown as it is (the record is FAILED all the same).
  neverCommitted: "500 invalid_writes",
  start: async () => {},
  stop: async () => {},
  arm(client, logger) {
    const call = makeIdempotent(
      async ({ db, key }, order: { id: string }) => ({ charged: await charge(db, key), charge: order.id }),
      { ...optionsFor("make", client, logger), key: (order) => order.id },
    );
    return async (key) => {
      try {
        return { answer: await call({ id: key }) };
      } catch (error) {
        if (error instanceof OncegateSdkError) return { error: `${error.statusCode} ${error.code}` };
        throw error;
      }
    };
  },
};

const TARGETS: [string, Target][] = [
  ["Express 5", expressTarget],
  ["Fastify 5", fastifyTarget],
  ["Web (Hono)", webTarget],
  ["makeIdempotent", makeIdempotentTarget],
];

const isClaim = (call: DynamoCall) => call.commandName === "PutItemCommand";
const isCommit = (call: DynamoCall) => call.commandName === "TransactWriteItemsCommand";
const FAULTS: FaultKind[] = ["lost_answer", "hang", "throttle", "server_error", "conflict"];

/**
 * Faults for the attempts of each kind of call one request makes: its claim (PutItem, 3 attempts by the AWS SDK),
 * its commit (TransactWriteItems, up to 5 settle tries of 3 attempts) and the writes settling it otherwise (the
 * failure mark, the claim's withdrawal). Planned as streaks (a fault, or none, for several attempts in a row), so
 * that some outlast every retry; attempts past the plan go through.
 */
const streaks = fc
  .array(fc.tuple(fc.constantFrom<FaultKind | null>(...FAULTS, null), fc.integer({ min: 1, max: 8 })), {
    maxLength: 4,
  })
  .map((planned) => planned.flatMap(([fault, times]) => Array<FaultKind | null>(times).fill(fault)));
const planArbitrary = fc.record({ claim: streaks, commit: streaks, settle: streaks });

describe.each(TARGETS)("%s under DynamoDB faults", (_name, target) => {
  beforeAll(() => target.start());
  afterAll(() => target.stop());

  /** Delivers one key with `plan` faulting its calls, then a fault-free duplicate; what DynamoDB holds after. */
  async function deliverTwice(label: string, plan: FaultPlan, random = seededRandom(1)) {
    const key = newKey(`${target.scope}-${label}`);
    let faulting = true;
    const { client, injected } = faultyClient((call) => (faulting ? plan(call) : undefined), random);
    const logs: Record<string, unknown>[] = [];
    const deliver = target.arm(client, (line) => logs.push(line));
    const first = await deliver(key);
    const runsAfterFirst = runs[key] ?? 0;
    faulting = false;
    const duplicate = await deliver(key);
    client.destroy();
    const record = await getItem(tables.client, tables.name(0), `${target.scope}#${key}`);
    const charged = (await getItem(tables.client, tables.name(1), key))?.count ?? 0;
    return {
      key,
      first,
      duplicate,
      runsAfterFirst,
      runs: runs[key] ?? 0,
      status: record?.status,
      charged,
      injected,
      logs,
    };
  }

  /** The handler's answer to `key`, as every target gives it. */
  const answered = (key: string) => ({ charged: AMOUNT, charge: key });
  const replayOf = (key: string) =>
    target === makeIdempotentTarget ? { answer: answered(key) } : { answer: answered(key), replayed: true };
  const firstAnswer = (key: string) =>
    target === makeIdempotentTarget ? { answer: answered(key) } : { answer: answered(key), replayed: false };

  test("runs the handler once when the claim's answer is lost after it applied: the retry finds its own claim", async () => {
    const seen = await deliverTwice("lost-claim", faultTimes("lost_answer", 1, isClaim));
    expect(seen.injected.map((fault) => [fault.kind, fault.applied])).toEqual([["lost_answer", true]]);
    expect(seen).toMatchObject({ first: firstAnswer(seen.key), duplicate: replayOf(seen.key), runs: 1 });
    expect([seen.status, seen.charged]).toEqual(["COMPLETED", 1]);
  });

  test("commits the charge once when the completion's answer is lost after it applied; the duplicate is replayed", async () => {
    const seen = await deliverTwice("lost-commit", faultTimes("lost_answer", 2, isCommit));
    expect(seen.injected.map((fault) => [fault.kind, fault.applied])).toEqual([
      ["lost_answer", true],
      ["lost_answer", true],
    ]);
    expect(seen).toMatchObject({ first: firstAnswer(seen.key), duplicate: replayOf(seen.key), runs: 1 });
    expect([seen.status, seen.charged]).toEqual(["COMPLETED", 1]);
  });

  test("retries throttling on the claim and on the completion: one run, the charge committed", async () => {
    // Two throttled claims are the AWS SDK's own retries; three throttled commits outlast them, and the SDK's
    // settle retry gets through.
    const claim = faultTimes("throttle", 2, isClaim);
    const commit = faultTimes("throttle", 3, isCommit);
    const seen = await deliverTwice("throttled", (call) => claim(call) ?? commit(call));
    expect(seen.injected.map((fault) => fault.call.commandName)).toEqual([
      ...Array(2).fill("PutItemCommand"),
      ...Array(3).fill("TransactWriteItemsCommand"),
    ]);
    expect(seen).toMatchObject({ first: firstAnswer(seen.key), duplicate: replayOf(seen.key), runs: 1 });
    expect([seen.status, seen.charged]).toEqual(["COMPLETED", 1]);
  });

  test("retries a TransactionConflict on the completion and commits once, as on Lambda", async () => {
    const seen = await deliverTwice("conflict", faultTimes("conflict", 2, isCommit));
    expect(seen.injected.map((fault) => fault.kind)).toEqual(["conflict", "conflict"]);
    expect(seen).toMatchObject({ first: firstAnswer(seen.key), duplicate: replayOf(seen.key), runs: 1 });
    expect([seen.status, seen.charged]).toEqual(["COMPLETED", 1]);
  });

  test("fails (onError applies) when the completion conflicts on every try: nothing applied, the duplicate refused 422", async () => {
    const seen = await deliverTwice("conflict-forever", faultTimes("conflict", 1_000, isCommit));
    expect(seen).toMatchObject({
      first: { error: target.neverCommitted },
      duplicate: { error: "422 previously_failed" },
      runs: 1,
    });
    expect([seen.status, seen.charged]).toEqual(["FAILED", 0]);
  });

  test("leaves the key IN_PROGRESS when the completion's outcome stays unknown: 500 completion_failed, then 409", async () => {
    // Every commit attempt hangs past the client's limit, none of them applied (the random draw says so).
    const seen = await deliverTwice("unknown-commit", faultTimes("hang", 1_000, isCommit), () => 0.9);
    expect(seen).toMatchObject({
      first: { error: "500 completion_failed" },
      duplicate: { error: "409 in_progress" },
      runs: 1,
    });
    expect([seen.status, seen.charged]).toEqual(["IN_PROGRESS", 0]);
  });

  test("under random faults on one request's calls, then a duplicate: never two runs, never a charge without its completion", async () => {
    const firstOutcomes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(planArbitrary, fc.integer(), async (plan, seed) => {
        // The n-th attempt of a kind of call meets the n-th fault planned for that kind (none past the end).
        const attempts = { claim: 0, commit: 0, settle: 0 };
        const faultFor = (call: DynamoCall) => {
          const kind = isClaim(call) ? "claim" : isCommit(call) ? "commit" : "settle";
          return plan[kind][attempts[kind]++] ?? undefined;
        };
        const seen = await deliverTwice("plan", faultFor, seededRandom(seed));
        firstOutcomes.add("answer" in seen.first ? "answered" : seen.first.error);
        expectModel(seen);
      }),
      { numRuns: 50, seed: 20261215 },
    );
    // The plans reached every row of the model, not only the faults the retries absorb.
    expect([...firstOutcomes].sort()).toEqual(
      ["500 completion_failed", "503 idempotency_store_unavailable", target.neverCommitted, "answered"].sort(),
    );
  });

  /** The outcomes the docs' failure table allows for a faulted delivery and the fault-free duplicate after it. */
  function expectModel(seen: Awaited<ReturnType<typeof deliverTwice>>) {
    const { key, first, logs, injected, ...rest } = seen;
    // What a failure prints: the outcomes, the record, and the faults injected, in order.
    const view = { first, ...rest, injected: injected.map((f) => `${f.call.commandName} ${f.kind} ${f.applied}`) };
    const logged = (msg: string) => logs.some((line) => line.msg === msg);
    expect(view.runs).toBeLessThanOrEqual(1);
    // The charge commits with COMPLETED, once, or not at all.
    expect(view).toMatchObject({ charged: view.status === "COMPLETED" ? 1 : 0 });
    const inProgress = { duplicate: { error: "409 in_progress" }, status: "IN_PROGRESS", charged: 0 };
    if ("answer" in first) {
      // The answer left only once the completion committed: the duplicate always finds it.
      expect(view).toMatchObject({ first: firstAnswer(key), duplicate: replayOf(key), runsAfterFirst: 1 });
    } else if (first.error === "503 idempotency_store_unavailable") {
      // Nothing ran; the claim was withdrawn (the duplicate runs it), or its outcome stayed unknown (logged).
      expect(view.runsAfterFirst).toBe(0);
      if ("answer" in view.duplicate) expect(view).toMatchObject({ duplicate: firstAnswer(key), status: "COMPLETED" });
      else
        expect({ ...view, unresolved: logged("oncegate.idempotency.claim_unresolved") }).toMatchObject({
          ...inProgress,
          unresolved: true,
        });
    } else if (first.error === target.neverCommitted) {
      // Nothing applied: FAILED, or IN_PROGRESS when even that write's outcome stayed unknown (logged).
      expect(view).toMatchObject({ runsAfterFirst: 1, charged: 0 });
      if (view.status === "FAILED") expect(view.duplicate).toEqual({ error: "422 previously_failed" });
      else
        expect({ ...view, unresolved: logged("oncegate.idempotency.abandon_failed") }).toMatchObject({
          ...inProgress,
          unresolved: true,
        });
    } else {
      // The commit's outcome stayed unknown: it landed (replayed) or the key stays IN_PROGRESS, never re-run.
      expect(view).toMatchObject({ first: { error: "500 completion_failed" }, runsAfterFirst: 1 });
      if (view.status === "COMPLETED") expect(view.duplicate).toEqual(replayOf(key));
      else expect(view).toMatchObject(inProgress);
    }
  }
});
