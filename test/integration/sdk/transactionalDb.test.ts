import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { idempotent, MAX_BUFFERED_WRITES, TooManyWritesError } from "../../../sdk/index.ts";
import { createTable, deleteTable, getItem, localClient, scanAll } from "../../support/dynamoDbTables.ts";
import { bodyOf, httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";

const client = localClient();
let records: string;
let charges: string;
beforeAll(async () => {
  records = await createTable(client, "sdk-tx-records");
  charges = await createTable(client, "sdk-tx-charges");
});
afterAll(async () => {
  await deleteTable(client, records);
  await deleteTable(client, charges);
  client.destroy();
});

let n = 0;
const newKey = (label: string) => `${label}-${Date.now()}-${n++}`;
const options = () => ({ tableName: records, client, logger: () => {} });

describe("db: writes commit atomically with the completion record", () => {
  test("commits all three writes and COMPLETED together", async () => {
    const key = newKey("tx-ok");
    const handler = idempotent(async ({ db, key }) => {
      for (const part of [1, 2, 3])
        await db.put({ TableName: charges, Item: { id: `${key}-${part}`, amount: part * 100 } });
      return { charged: 3 };
    }, options());
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(bodyOf(response)).toEqual({ ok: true, result: { charged: 3 } });
    for (const part of [1, 2, 3]) {
      expect(await getItem(client, charges, `${key}-${part}`)).toEqual({ id: `${key}-${part}`, amount: part * 100 });
    }
    expect(await getItem(client, records, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
  });

  test("applies none of the writes and does not complete when one write's condition fails", async () => {
    const key = newKey("tx-conflict");
    await client.send(new PutItemCommand({ TableName: charges, Item: { id: { S: `${key}-2` }, amount: { N: "1" } } }));
    let runs = 0;
    const handler = idempotent(async ({ db, key }) => {
      runs += 1;
      await db.put({ TableName: charges, Item: { id: `${key}-1`, amount: 100 } });
      await db.put({
        TableName: charges,
        Item: { id: `${key}-2`, amount: 200 },
        ConditionExpression: "attribute_not_exists(id)",
      });
      await db.put({ TableName: charges, Item: { id: `${key}-3`, amount: 300 } });
    }, options());
    const event = httpApiEvent({}, { "Idempotency-Key": key });
    const response = (await handler(event, lambdaContext())) as { statusCode: number };
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toMatchObject({ ok: false, error: "handler_failed" });
    expect(await getItem(client, charges, `${key}-1`)).toBeUndefined();
    expect(await getItem(client, charges, `${key}-2`)).toEqual({ id: `${key}-2`, amount: 1 });
    expect(await getItem(client, charges, `${key}-3`)).toBeUndefined();
    const record = await getItem(client, records, `consumer-fn#${key}`);
    expect(record).toMatchObject({ status: "FAILED", errorName: "WriteConflictError" });
    await handler(event, lambdaContext());
    expect(runs).toBe(1);
  });

  test("supports update, delete and conditionCheck in the same transaction", async () => {
    const key = newKey("tx-mixed");
    for (const id of ["a", "b", "c"]) {
      await client.send(new PutItemCommand({ TableName: charges, Item: { id: { S: `${key}-${id}` }, n: { N: "1" } } }));
    }
    await idempotent(async ({ db }) => {
      await db.conditionCheck({
        TableName: charges,
        Key: { id: `${key}-a` },
        ConditionExpression: "n = :one",
        ExpressionAttributeValues: { ":one": 1 },
      });
      await db.update({
        TableName: charges,
        Key: { id: `${key}-b` },
        UpdateExpression: "SET n = n + :inc",
        ExpressionAttributeValues: { ":inc": 41 },
      });
      await db.delete({ TableName: charges, Key: { id: `${key}-c` } });
    }, options())(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(await getItem(client, records, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
    expect(await getItem(client, charges, `${key}-a`)).toEqual({ id: `${key}-a`, n: 1 });
    expect(await getItem(client, charges, `${key}-b`)).toEqual({ id: `${key}-b`, n: 42 });
    expect(await getItem(client, charges, `${key}-c`)).toBeUndefined();
  });

  test("marks the record FAILED with InvalidWritesError when DynamoDB refuses the writes as a request", async () => {
    const key = newKey("tx-invalid");
    await idempotent(async ({ db }) => {
      // Two operations on one item in one transaction: DynamoDB refuses the whole request.
      await db.put({ TableName: charges, Item: { id: `${key}-x`, n: 1 } });
      await db.delete({ TableName: charges, Key: { id: `${key}-x` } });
    }, options())(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(await getItem(client, records, `consumer-fn#${key}`)).toMatchObject({
      status: "FAILED",
      errorName: "InvalidWritesError",
    });
    expect(await getItem(client, charges, `${key}-x`)).toBeUndefined();
  });

  test("reads go straight to DynamoDB through db.get and db.query", async () => {
    const key = newKey("tx-read");
    await client.send(
      new PutItemCommand({
        TableName: charges,
        Item: { id: { S: key }, amount: { N: "42" } },
      }),
    );
    let seen: unknown;
    let queried: unknown;
    await idempotent(async ({ db }) => {
      seen = await db.get({ TableName: charges, Key: { id: key } });
      queried = await db.query({
        TableName: charges,
        KeyConditionExpression: "id = :id",
        ExpressionAttributeValues: { ":id": key },
      });
    }, options())(httpApiEvent({}, { "Idempotency-Key": newKey("reader") }), lambdaContext());
    expect(seen).toEqual({ id: key, amount: 42 });
    expect(queried).toEqual({ items: [{ id: key, amount: 42 }] });
  });

  test(`fails with TooManyWritesError past ${MAX_BUFFERED_WRITES} buffered writes, before anything is committed`, async () => {
    const key = newKey("tx-many");
    let thrown: unknown;
    const handler = idempotent(async ({ db }) => {
      try {
        for (let i = 0; i < 100; i++) await db.put({ TableName: charges, Item: { id: `${key}-${i}` } });
      } catch (error) {
        thrown = error;
        throw error;
      }
    }, options());
    const response = (await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext())) as {
      statusCode: number;
    };
    expect(thrown).toBeInstanceOf(TooManyWritesError);
    expect(response.statusCode).toBe(500);
    const written = (await scanAll(client, charges)).filter((item) => String(item.id).startsWith(`${key}-`));
    expect(written).toHaveLength(0);
    expect(await getItem(client, records, `consumer-fn#${key}`)).toMatchObject({
      status: "FAILED",
      errorName: "TooManyWritesError",
    });
  });
});
