import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";
import { httpApiEvent, lambdaContext, sqsEvent, sqsRecord } from "../../support/lambdaEvents.ts";

// The README's examples are real files (sdk/examples/); these tests run them against DynamoDB Local.
const client = localClient();
const tables: Record<string, string> = {};
beforeAll(async () => {
  tables.records = await createTable(client, "examples-records");
  tables.charges = await createTable(client, "examples-charges");
  tables.orders = await createTable(client, "examples-orders");
  process.env.IDEMPOTENCY_TABLE = tables.records;
  process.env.CHARGES_TABLE = tables.charges;
  process.env.ORDERS_TABLE = tables.orders;
});
// The examples log as a real function does (the SDK's default logger, console.log): captured, not leaked into the
// test output, and each line checked to be the one JSON object the SDK promises.
const logged: string[] = [];
const consoleLog = jest.spyOn(console, "log").mockImplementation((line: unknown) => {
  logged.push(String(line));
});
afterAll(async () => {
  consoleLog.mockRestore();
  for (const name of Object.values(tables)) await deleteTable(client, name);
  client.destroy();
  for (const line of logged) expect(JSON.parse(line)).toMatchObject({ msg: "oncegate.idempotency" });
  expect(logged.length).toBeGreaterThan(0);
});

describe("README examples", () => {
  test("chargeWithWrapper charges once and sends one receipt for a storm of duplicates", async () => {
    const { handler, receipts } = await import("../../../sdk/examples/chargeWithWrapper.ts");
    const event = httpApiEvent({ amount: 1000 }, { "Idempotency-Key": "whk_example_1" });
    await Promise.all(Array.from({ length: 10 }, () => handler(event, lambdaContext())));
    expect(receipts).toEqual(["whk_example_1"]);
    expect(await getItem(client, tables.records as string, "consumer-fn#whk_example_1")).toMatchObject({
      status: "COMPLETED",
    });
    expect(await getItem(client, tables.charges as string, "whk_example_1")).toEqual({
      id: "whk_example_1",
      amount: 1000,
    });
  });

  test("chargeWithMiddleware answers 201 once and replays it", async () => {
    const { handler } = await import("../../../sdk/examples/chargeWithMiddleware.ts");
    const event = httpApiEvent({ amount: 5 }, { "Idempotency-Key": "whk_example_2" });
    const run = handler as unknown as (e: unknown, c: unknown) => Promise<{ statusCode: number; headers?: object }>;
    expect((await run(event, lambdaContext())).statusCode).toBe(201);
    expect(await run(event, lambdaContext())).toMatchObject({
      statusCode: 201,
      headers: { "Idempotency-Status": "replayed" },
    });
  });

  test("queueConsumer reports the record whose conditional write fails and releases it for a retry", async () => {
    const { handler } = await import("../../../sdk/examples/queueConsumer.ts");
    const batch = sqsEvent([sqsRecord({ orderId: "missing-order" }, "whk_example_3", "m-1")]);
    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
    expect(await getItem(client, tables.records as string, "consumer-fn#whk_example_3")).toBeUndefined();
  });
});
