import { UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import fc from "fast-check";
import { seededRandom } from "../../../local/seededRandom.ts";
import { idempotency, type TransactionalDb } from "../../../sdk/index.ts";
import { getItem } from "../../support/dynamoDbTables.ts";
import { type FaultKind, faultyClient, UNKNOWN_OUTCOME_FAULTS } from "../../support/dynamoFaults.ts";
import { httpApiEvent } from "../../support/lambdaEvents.ts";
import { newKey, suiteTables } from "../../support/suiteTables.ts";

/**
 * The SDK's promise, tried against a small model under the faults DynamoDB really produces, injected below the AWS
 * SDK's retry middleware at random (seeded) into every call the SDK makes: answers lost after the write applied,
 * hangs past the client's limit, throttling, 500s, transaction conflicts. Fast-check drives sequences of
 * deliveries, concurrent duplicates, crashes mid-handler, Lambda timeouts (Middy's early timeout), handlers that
 * throw and results that cannot be stored, over a few keys. After each sequence, one fault-free delivery per key,
 * then per key:
 * - the handler ran at most once;
 * - COMPLETED ⇒ its `db` write applied exactly once; FAILED or IN_PROGRESS ⇒ not at all;
 * - IN_PROGRESS only if an invocation crashed or timed out mid-handler, or the SDK logged an unknown outcome for a
 *   call we really faulted with an unknown-outcome fault;
 * - a delivery is refused 409 only while some invocation holds or lost the claim (concurrent copies, or one of
 *   the cases above).
 * Run against the SDK as it was before the hardening (commit 4d50651), this property fails at once: as written, on a
 * BigInt result that leaves the key IN_PROGRESS with its charge never committed (item 2, shrunk to one
 * `unstorable` delivery and a retry); with the `unstorable` mode left out and only lost answers injected, on a
 * claim whose lost answer made the SDK's retry refuse it 409 for good (item 1); with only transaction conflicts
 * injected, on a commit conflict that left the key IN_PROGRESS and every retry refused 409 (item 5).
 */
const tables = suiteTables("sdk-model", "sdk-model-ledger");
const SCOPE = "model";

type Mode = "deliver" | "crash" | "timeout" | "throw" | "unstorable";
interface Step {
  key: number;
  mode: Mode;
  copies: number;
}

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  key: fc.integer({ min: 0, max: 2 }),
  mode: fc.constantFrom<Mode>("deliver", "deliver", "deliver", "crash", "timeout", "throw", "unstorable"),
  copies: fc.integer({ min: 1, max: 3 }),
});

const FAULTS: FaultKind[] = ["lost_answer", "hang", "throttle", "server_error", "conflict"];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runSequence(steps: Step[], seed: number, faultRate: number) {
  const random = seededRandom(seed);
  let faultsOn = true;
  const { client, injected } = faultyClient(
    () => (faultsOn && random() < faultRate ? FAULTS[Math.floor(random() * FAULTS.length)] : undefined),
    random,
  );
  const keys = [0, 1, 2].map((i) => newKey(`model-${i}`));
  const runs = new Map<string, number>();
  const crashed = new Set<string>();
  const timedOut = new Set<string>();
  const logs: Record<string, unknown>[] = [];
  const ledger = tables.name(1);

  const handler = middy(
    async (_event: unknown, context: { mode: Mode; idempotency?: { key: string; db: TransactionalDb } }) => {
      const { key, db } = context.idempotency as { key: string; db: TransactionalDb };
      runs.set(key, (runs.get(key) ?? 0) + 1);
      await db.update({
        TableName: ledger,
        Key: { id: key },
        UpdateExpression: "ADD #n :one",
        ExpressionAttributeNames: { "#n": "count" },
        ExpressionAttributeValues: { ":one": 1 },
      });
      if (context.mode === "throw") throw new Error("handler bug");
      if (context.mode === "crash") {
        crashed.add(key);
        return new Promise(() => {}); // the process died here: nothing after this line ever runs
      }
      if (context.mode === "timeout") {
        timedOut.add(key);
        await sleep(120);
      }
      return context.mode === "unstorable"
        ? { statusCode: 200, body: "{}", total: 10n }
        : { statusCode: 200, body: "{}" };
    },
  ).use(
    idempotency({
      tableName: tables.name(0),
      client,
      scope: SCOPE,
      retentionSeconds: 3600,
      logger: (line) => logs.push(line),
    }),
  ) as unknown as (event: unknown, context: unknown) => Promise<{ statusCode: number } | undefined>;

  const contextFor = (mode: Mode) => {
    // A crashed invocation has no clock left to run; a timing-out one has 60 ms.
    if (mode === "crash") return { functionName: "model", mode };
    const endsAt = Date.now() + (mode === "timeout" ? 60 : 30_000);
    return { functionName: "model", mode, getRemainingTimeInMillis: () => endsAt - Date.now() };
  };
  const recordIdOf = (key: string) => `${SCOPE}#${key}`;
  const justified = (key: string) =>
    crashed.has(key) ||
    timedOut.has(key) ||
    (logs.some(
      (l) =>
        l.key === key &&
        (l.error === "completion_failed" ||
          l.msg === "oncegate.idempotency.abandon_failed" ||
          l.msg === "oncegate.idempotency.claim_unresolved"),
    ) &&
      injected.some(
        (f) => f.call.recordId === recordIdOf(key) && (UNKNOWN_OUTCOME_FAULTS.has(f.kind) || f.kind === "throttle"),
      ));
  const deliver = (key: string, mode: Mode) => {
    const answer = handler(httpApiEvent({ order: key }, { "Idempotency-Key": key }), contextFor(mode));
    return mode === "crash" ? Promise.race([answer, sleep(40).then(() => undefined)]) : answer;
  };

  for (const step of steps) {
    const key = keys[step.key] as string;
    const heldBefore = justified(key);
    const answers = await Promise.all(Array.from({ length: step.copies }, () => deliver(key, step.mode)));
    if (step.copies === 1 && answers[0]?.statusCode === 409) {
      expect({ key, step, refused409: true, held: heldBefore || justified(key) }).toMatchObject({ held: true });
    }
  }
  await sleep(150); // let timed-out handlers finish their (refused) late work
  faultsOn = false;
  for (const key of keys) {
    const final = await deliver(key, "deliver");
    const record = await getItem(tables.client, tables.name(0), recordIdOf(key));
    const charged = ((await getItem(tables.client, ledger, key))?.count as number | undefined) ?? 0;
    const view = { key, status: record?.status, final: final?.statusCode, runs: runs.get(key) ?? 0, charged };
    expect(view.runs).toBeLessThanOrEqual(1);
    if (record?.status === "COMPLETED") expect(view).toMatchObject({ runs: 1, charged: 1 });
    else expect(view).toMatchObject({ charged: 0 });
    if (record?.status === "IN_PROGRESS" || final?.statusCode === 409) {
      expect({ ...view, justified: justified(key) }).toMatchObject({ justified: true });
    }
  }
  client.destroy();
}

describe("the SDK against a model, under injected DynamoDB faults", () => {
  test("runs each handler at most once, commits its db writes exactly with COMPLETED, and strands no key without cause", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(stepArbitrary, { minLength: 3, maxLength: 9 }), fc.integer(), (steps, seed) =>
        runSequence(steps, seed, 0.15),
      ),
      { numRuns: 40, seed: 20261201 },
    );
  }, 120_000);

  test("the fault injection really reaches DynamoDB: a lost answer leaves its write applied", async () => {
    const { client, injected } = faultyClient(() => "lost_answer");
    const id = newKey("applied");
    await expect(
      client.send(
        new UpdateItemCommand({
          TableName: tables.name(1),
          Key: { id: { S: id } },
          UpdateExpression: "ADD #n :one",
          ExpressionAttributeNames: { "#n": "count" },
          ExpressionAttributeValues: { ":one": { N: "1" } },
        }),
      ),
    ).rejects.toMatchObject({ name: "TimeoutError" });
    // The SDK tried 3 times, each applied and unanswered.
    expect(injected).toHaveLength(3);
    expect(await getItem(tables.client, tables.name(1), id)).toEqual({ id, count: 3 });
    client.destroy();
  });
});
