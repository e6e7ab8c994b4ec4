import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { idempotency, idempotent } from "../../../sdk/index.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";
import { lambdaContext, sqsEvent, sqsRecord } from "../../support/lambdaEvents.ts";

const client = localClient();
let records: string;
let effects: string;
beforeAll(async () => {
  records = await createTable(client, "sdk-sqs");
  effects = await createTable(client, "sdk-sqs-effects");
});
afterAll(async () => {
  await deleteTable(client, records);
  await deleteTable(client, effects);
  client.destroy();
});

let n = 0;
const newKey = (label: string) => `${label}-${Date.now()}-${n++}`;

describe("idempotent() with SQS batches", () => {
  test("runs each record once, and one failing record never re-runs the others", async () => {
    const runs: string[] = [];
    const handler = idempotent(
      async ({ event, key, db }) => {
        runs.push(key);
        if ((event as { fail?: boolean }).fail) throw new Error("bad record");
        await db.put({ TableName: effects, Item: { id: key } });
      },
      { tableName: records, client, logger: () => {} },
    );
    const [a, b, c] = [newKey("a"), newKey("b"), newKey("c")];
    const batch = sqsEvent([
      sqsRecord({ n: 1 }, a, "m-a"),
      sqsRecord({ fail: true }, b, "m-b"),
      sqsRecord({ n: 3 }, c, "m-c"),
    ]);

    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: "m-b" }] });
    // SQS redelivers the whole batch (or just the failure): nothing runs again.
    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: "m-b" }] });
    expect(runs).toEqual([a, b, c]);
    expect(await getItem(client, effects, a)).toEqual({ id: a });
    expect(await getItem(client, effects, b)).toBeUndefined();
    expect(await getItem(client, records, `consumer-fn#${b}`)).toMatchObject({ status: "FAILED" });
  });

  test("reports a record without a key as failed, and processes the rest", async () => {
    const runs: string[] = [];
    const handler = idempotent(
      ({ key }) => {
        runs.push(key);
      },
      { tableName: records, client, logger: () => {} },
    );
    const ok = newKey("ok");
    const result = await handler(
      sqsEvent([sqsRecord({}, undefined, "m-nokey"), sqsRecord({}, ok, "m-ok")]),
      lambdaContext(),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-nokey" }] });
    expect(runs).toEqual([ok]);
  });

  test("with onError release, reports the failed record so SQS retries it, and the retry runs it", async () => {
    let fail = true;
    const runs: string[] = [];
    const handler = idempotent(
      ({ key }) => {
        runs.push(key);
        if (fail) throw new Error("transient");
      },
      { tableName: records, client, logger: () => {}, onError: "release" },
    );
    const key = newKey("rel");
    const batch = sqsEvent([sqsRecord({}, key, "m-1")]);
    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
    fail = false;
    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(runs).toEqual([key, key]);
  });

  test("reads the key with getKey(record) when given", async () => {
    const runs: string[] = [];
    const handler = idempotent(
      ({ key }) => {
        runs.push(key);
      },
      {
        tableName: records,
        client,
        logger: () => {},
        getKey: (record) => JSON.parse((record as { body: string }).body).orderId,
      },
    );
    const orderId = newKey("order");
    await handler(sqsEvent([sqsRecord({ orderId }), sqsRecord({ orderId })]), lambdaContext());
    expect(runs).toEqual([orderId]);
  });
});

describe("idempotency middleware with SQS batches", () => {
  test("hands the handler only the records it claimed, completes them, and reports handler failures", async () => {
    const seen: string[][] = [];
    const handler = middy(async (event: { Records: { messageId: string }[] }) => {
      seen.push(event.Records.map((r) => r.messageId));
      return {
        batchItemFailures: event.Records.filter((r) => r.messageId === "m-2").map((r) => ({
          itemIdentifier: r.messageId,
        })),
      };
    }).use(idempotency({ tableName: records, client, logger: () => {} })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<unknown>;
    const [k1, k2] = [newKey("mw1"), newKey("mw2")];
    const batch = sqsEvent([sqsRecord({}, k1, "m-1"), sqsRecord({}, k2, "m-2")]);
    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: "m-2" }] });
    expect(await handler(batch, lambdaContext())).toEqual({ batchItemFailures: [{ itemIdentifier: "m-2" }] });
    expect(seen).toEqual([["m-1", "m-2"]]);
    expect(await getItem(client, records, `consumer-fn#${k1}`)).toMatchObject({ status: "COMPLETED" });
    expect(await getItem(client, records, `consumer-fn#${k2}`)).toMatchObject({ status: "FAILED" });
  });

  test("marks every claimed record by the policy when the handler throws, and reports them", async () => {
    const handler = middy(async () => {
      throw new Error("whole batch failed");
    }).use(idempotency({ tableName: records, client, logger: () => {}, onError: "release" })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<unknown>;
    const key = newKey("mw-throw");
    expect(await handler(sqsEvent([sqsRecord({}, key, "m-9")]), lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: "m-9" }],
    });
    expect(await getItem(client, records, `consumer-fn#${key}`)).toBeUndefined();
  });
});
