import { describe, expect, test } from "@jest/globals";
import { idempotent } from "../../../sdk/index.ts";
import { getItem } from "../../support/dynamoDbTables.ts";
import { type FaultPlan, faultTimes, faultyClient } from "../../support/dynamoFaults.ts";
import { bodyOf, httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";
import { newKey, suiteTables } from "../../support/suiteTables.ts";

// Item 5 of the SDK hardening: what the completion commit does with each answer DynamoDB can give. Conflicts and
// AccessDenied are injected (DynamoDB Local produces neither on demand); a missing table is real.
const tables = suiteTables("sdk-commit", "sdk-commit-charges");
const { client } = tables;
const table = () => tables.name(0);
const charges = () => tables.name(1);

const isCommit = (call: { commandName: string }) => call.commandName === "TransactWriteItemsCommand";

function chargingHandler(plan: FaultPlan, chargesTable = () => charges(), remainingMs = 30_000) {
  const { client: faulty, injected } = faultyClient(plan);
  const logs: Record<string, unknown>[] = [];
  const calls = { runs: 0 };
  const handler = idempotent(
    async ({ db, key }) => {
      calls.runs += 1;
      await db.put({ TableName: chargesTable(), Item: { id: key, amount: 100 } });
      return { charged: true };
    },
    { tableName: table(), client: faulty, logger: (line) => logs.push(line) },
  );
  const invoke = (key: string) =>
    handler(httpApiEvent({ amount: 100 }, { "Idempotency-Key": key }), lambdaContext("consumer-fn", remainingMs));
  return { invoke, calls, logs, injected, destroy: () => faulty.destroy() };
}

describe("the completion commit", () => {
  test("retries a TransactionConflict and commits the charge and COMPLETED once", async () => {
    const run = chargingHandler(faultTimes("conflict", 2, isCommit));
    const key = newKey("conflict");
    const response = await run.invoke(key);
    expect(run.injected.map((f) => f.kind)).toEqual(["conflict", "conflict"]);
    expect(response).toMatchObject({ statusCode: 200 });
    expect(run.calls.runs).toBe(1);
    expect(await getItem(client, charges(), key)).toEqual({ id: key, amount: 100 });
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
    run.destroy();
  });

  test("retries throttling that outlasted the SDK's own retries, and commits once", async () => {
    // 3 throttles exhaust one SDK call (3 attempts); the SDK's next call, our retry, gets through.
    const run = chargingHandler(faultTimes("throttle", 3, isCommit));
    const key = newKey("throttled");
    expect(await run.invoke(key)).toMatchObject({ statusCode: 200 });
    expect(await getItem(client, charges(), key)).toEqual({ id: key, amount: 100 });
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
    run.destroy();
  });

  test("fails (onError applies) when conflicts outlast the time left: nothing was applied, so nothing is stuck", async () => {
    const run = chargingHandler(faultTimes("conflict", 1_000, isCommit), () => charges(), 400);
    const key = newKey("conflict-forever");
    const response = await run.invoke(key);
    expect(response).toMatchObject({ statusCode: 500 });
    expect(bodyOf(response)).toMatchObject({ error: "handler_failed" });
    expect(await getItem(client, charges(), key)).toBeUndefined();
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "FAILED" });
    run.destroy();
  });

  test("fails (onError applies) when a db write names a missing table: DynamoDB applied nothing", async () => {
    const run = chargingHandler(
      () => undefined,
      () => "no-such-table",
    );
    const key = newKey("missing-table");
    const response = await run.invoke(key);
    expect(response).toMatchObject({ statusCode: 500 });
    expect(bodyOf(response)).toMatchObject({ error: "handler_failed" });
    const record = await getItem(client, table(), `consumer-fn#${key}`);
    expect(record).toMatchObject({ status: "FAILED", errorName: "InvalidWritesError" });
    expect(record?.errorMessage).toContain("ResourceNotFoundException");
    run.destroy();
  });

  test("fails (onError applies) when DynamoDB answers AccessDenied to the commit", async () => {
    const { client: faulty } = faultyClient(() => undefined);
    faulty.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand") {
          throw Object.assign(new Error("not authorized to perform: dynamodb:PutItem"), {
            name: "AccessDeniedException",
            $metadata: { httpStatusCode: 400 },
          });
        }
        return next(args);
      },
      { step: "initialize", name: "denyCommit" },
    );
    const handler = idempotent(async ({ db, key }) => db.put({ TableName: charges(), Item: { id: key, amount: 1 } }), {
      tableName: table(),
      client: faulty,
      logger: () => {},
    });
    const key = newKey("denied");
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(bodyOf(response)).toMatchObject({ error: "handler_failed" });
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "FAILED" });
    faulty.destroy();
  });

  test("leaves IN_PROGRESS only when the outcome stays unknown, and logs it at error level with the cause", async () => {
    const run = chargingHandler(faultTimes("hang", 1_000, isCommit));
    const key = newKey("unknown");
    const response = await run.invoke(key);
    expect(bodyOf(response)).toMatchObject({ error: "completion_failed" });
    const record = await getItem(client, table(), `consumer-fn#${key}`);
    const charged = await getItem(client, charges(), key);
    // Whatever DynamoDB applied, it applied atomically: both or neither.
    expect(record?.status === "COMPLETED").toBe(charged !== undefined);
    if (record?.status !== "COMPLETED") expect(record).toMatchObject({ status: "IN_PROGRESS" });
    expect(run.logs).toContainEqual(
      expect.objectContaining({ level: "error", error: "completion_failed", cause: "TimeoutError" }),
    );
    run.destroy();
  });
});
