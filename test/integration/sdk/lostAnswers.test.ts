import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { idempotent } from "../../../sdk/index.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";
import { faultTimes, faultyClient } from "../../support/dynamoFaults.ts";
import { bodyOf, httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";

// Item 1 of the SDK hardening: the claim's answer is lost after DynamoDB applied it, and the AWS SDK's retry meets
// the invocation's own record. Injected below the SDK's retry middleware, against a real DynamoDB Local.
const client = localClient();
let table: string;
beforeAll(async () => {
  table = await createTable(client, "sdk-lost");
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

let n = 0;
const newKey = (label: string) => `${label}-${Date.now()}-${n++}`;
const isClaim = (call: { commandName: string }) => call.commandName === "PutItemCommand";

describe("an answer lost after the write applied", () => {
  test("runs the handler once when the claim's answer is lost and the SDK's retry finds its own record", async () => {
    const { client: faulty, injected } = faultyClient(faultTimes("lost_answer", 1, isClaim));
    let runs = 0;
    const handler = idempotent(
      () => {
        runs += 1;
        return { charged: true };
      },
      { tableName: table, client: faulty, logger: () => {} },
    );
    const key = newKey("lost-claim");
    const response = await handler(httpApiEvent({ a: 1 }, { "Idempotency-Key": key }), lambdaContext());
    expect(injected).toHaveLength(1);
    expect(response).toMatchObject({ statusCode: 200 });
    expect(bodyOf(response)).toEqual({ ok: true, result: { charged: true } });
    expect(runs).toBe(1);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
    faulty.destroy();
  });

  test("withdraws a claim whose outcome stayed unknown through every retry, so the sender's retry runs the handler", async () => {
    // The SDK's first attempt is applied but unanswered, its two retries are throttled: the SDK gives up with a
    // ThrottlingException that says nothing of the first attempt. The claim must be withdrawn, not left behind.
    const lost = faultTimes("lost_answer", 1, isClaim);
    const throttled = faultTimes("throttle", 2, isClaim);
    const { client: faulty } = faultyClient((call) => lost(call) ?? throttled(call));
    let runs = 0;
    const logs: Record<string, unknown>[] = [];
    const handler = idempotent(
      () => {
        runs += 1;
      },
      { tableName: table, client: faulty, logger: (line) => logs.push(line) },
    );
    const key = newKey("unknown-claim");
    const event = httpApiEvent({ a: 1 }, { "Idempotency-Key": key });
    const first = await handler(event, lambdaContext());
    expect(first).toMatchObject({ statusCode: 503 });
    expect(runs).toBe(0);
    expect(await getItem(client, table, `consumer-fn#${key}`)).toBeUndefined();
    const retry = await handler(event, lambdaContext());
    expect(retry).toMatchObject({ statusCode: 200 });
    expect(runs).toBe(1);
    faulty.destroy();
  });

  test("completes once when the completion's answer is lost: the retry sees its own COMPLETED record", async () => {
    const { client: faulty, injected } = faultyClient(
      faultTimes("lost_answer", 2, (call) => call.commandName === "TransactWriteItemsCommand"),
    );
    const charges = await createTable(client, "sdk-lost-charges");
    let runs = 0;
    const handler = idempotent(
      async ({ db, key }) => {
        runs += 1;
        await db.update({
          TableName: charges,
          Key: { id: key },
          UpdateExpression: "ADD #n :one",
          ExpressionAttributeNames: { "#n": "count" },
          ExpressionAttributeValues: { ":one": 1 },
        });
      },
      { tableName: table, client: faulty, logger: () => {} },
    );
    const key = newKey("lost-commit");
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(injected.map((f) => f.kind)).toEqual(["lost_answer", "lost_answer"]);
    expect(response).toMatchObject({ statusCode: 200 });
    expect(runs).toBe(1);
    expect(await getItem(client, charges, key)).toEqual({ id: key, count: 1 });
    expect(await getItem(client, table, `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
    await deleteTable(client, charges);
    faulty.destroy();
  });
});
