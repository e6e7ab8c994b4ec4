import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { idempotency, idempotent } from "../../../sdk/index.ts";
import { createTable, deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";
import { countRequests } from "../../support/requestCounter.ts";

const client = localClient();
const counter = countRequests(client);
let records: string;
let charges: string;
beforeAll(async () => {
  records = await createTable(client, "sdk-count");
  charges = await createTable(client, "sdk-count-charges");
  counter.take();
});
afterAll(async () => {
  await deleteTable(client, records);
  await deleteTable(client, charges);
  client.destroy();
});

let n = 0;
const newKey = () => `count-${Date.now()}-${n++}`;

describe("DynamoDB requests per invocation", () => {
  // Built per call: the table is created in beforeAll, after describe bodies run.
  const plain = (event: unknown, context: unknown) =>
    (
      middy(async () => ({ statusCode: 200, body: "{}" })).use(
        idempotency({ tableName: records, client, logger: () => {} }),
      ) as unknown as (e: unknown, c: unknown) => Promise<unknown>
    )(event, context);

  test("makes no table check, even against a local endpoint: the first invocation is 2 requests too", async () => {
    await plain(httpApiEvent({}, { "Idempotency-Key": newKey() }), lambdaContext());
    expect(counter.take()).toEqual(["PutItemCommand", "UpdateItemCommand"]);
  });

  test("is 2 for a first-time key: the claim and the completion", async () => {
    await plain(httpApiEvent({}, { "Idempotency-Key": newKey() }), lambdaContext());
    expect(counter.take()).toEqual(["PutItemCommand", "UpdateItemCommand"]);
  });

  test("is 2 for a first-time key whose handler wrote through db: the claim and one transaction", async () => {
    const withDb = idempotent(
      async ({ db, key }) => {
        await db.put({ TableName: charges, Item: { id: key } });
        await db.put({ TableName: charges, Item: { id: `${key}-receipt` } });
      },
      { tableName: records, client, logger: () => {} },
    );
    await withDb(httpApiEvent({}, { "Idempotency-Key": newKey() }), lambdaContext());
    expect(counter.take()).toEqual(["PutItemCommand", "TransactWriteItemsCommand"]);
  });

  test("is 1 for a duplicate: the failed conditional claim carries the existing record", async () => {
    const event = httpApiEvent({}, { "Idempotency-Key": newKey() });
    await plain(event, lambdaContext());
    counter.take();
    await plain(event, lambdaContext());
    expect(counter.take()).toEqual(["PutItemCommand"]);
  });

  test("is 2 for a failing handler: the claim and the FAILED mark", async () => {
    const failing = middy(async () => {
      throw new Error("x");
    }).use(idempotency({ tableName: records, client, logger: () => {} })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<unknown>;
    await failing(httpApiEvent({}, { "Idempotency-Key": newKey() }), lambdaContext());
    expect(counter.take()).toEqual(["PutItemCommand", "UpdateItemCommand"]);
  });
});
