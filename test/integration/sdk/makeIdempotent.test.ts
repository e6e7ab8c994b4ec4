import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import {
  IdempotencyKeyReusedError,
  InProgressError,
  makeIdempotent,
  PreviouslyFailedError,
} from "../../../sdk/index.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";

// makeIdempotent(fn, { key }) around plain async functions (a queue worker, a cron job), against DynamoDB Local.
const client = localClient();
let records: string;
let charges: string;
beforeAll(async () => {
  records = await createTable(client, "make-records");
  charges = await createTable(client, "make-charges");
});
afterAll(async () => {
  for (const name of [records, charges]) await deleteTable(client, name);
  client.destroy();
});

const options = () => ({ tableName: records, client, logger: () => {}, scope: "worker" });

describe("makeIdempotent", () => {
  test("runs once for 20 concurrent calls of one key; later calls get the first result back; db writes commit with it", async () => {
    let runs = 0;
    const charge = makeIdempotent(
      async ({ key, db }, order: { id: string; amount: number }) => {
        runs += 1;
        await db.put({ TableName: charges, Item: { id: key, amount: order.amount } });
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { charged: order.amount };
      },
      { ...options(), key: (order) => `order-${order.id}` },
    );
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => charge({ id: "1", amount: 7 })));
    expect(runs).toBe(1);
    for (const outcome of outcomes) {
      if (outcome.status === "fulfilled") expect(outcome.value).toEqual({ charged: 7 });
      else expect(outcome.reason).toBeInstanceOf(InProgressError);
    }
    expect(outcomes.some((outcome) => outcome.status === "fulfilled")).toBe(true);
    expect(await charge({ id: "1", amount: 7 })).toEqual({ charged: 7 });
    expect(runs).toBe(1);
    expect(await getItem(client, charges, "order-1")).toEqual({ id: "order-1", amount: 7 });
    await expect(charge({ id: "1", amount: 8 })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  test("rethrows the function's own error, commits none of its writes, then refuses the key (onError: fail)", async () => {
    let runs = 0;
    const failing = makeIdempotent(
      async ({ key, db }, id: string) => {
        runs += 1;
        await db.put({ TableName: charges, Item: { id: key } });
        throw new RangeError(`no such account ${id}`);
      },
      { ...options(), key: (id) => `failing-${id}` },
    );
    await expect(failing("a")).rejects.toThrow(new RangeError("no such account a"));
    expect(await getItem(client, charges, "failing-a")).toBeUndefined();
    await expect(failing("a")).rejects.toBeInstanceOf(PreviouslyFailedError);
    expect(runs).toBe(1);
  });

  test("runs again after a failure with onError: release", async () => {
    let runs = 0;
    const flaky = makeIdempotent(
      async (_call, id: string) => {
        runs += 1;
        if (runs === 1) throw new Error("first try fails");
        return id;
      },
      { ...options(), onError: "release", key: (id) => `flaky-${id}` },
    );
    await expect(flaky("b")).rejects.toThrow("first try fails");
    expect(await flaky("b")).toBe("b");
    expect(await flaky("b")).toBe("b");
    expect(runs).toBe(2);
    expect(await getItem(client, records, "worker#flaky-b")).toMatchObject({ status: "COMPLETED" });
  });

  test("refuses a missing key function at once, naming the option, and a lease without a deadline (timeoutSeconds)", () => {
    expect(() => makeIdempotent(async () => {}, { ...options() } as never)).toThrow("`key`");
    expect(() => makeIdempotent(async () => {}, { ...options(), key: () => "k", inProgressLeaseSeconds: 60 })).toThrow(
      "`inProgressLeaseSeconds`: needs timeoutSeconds outside Lambda",
    );
  });
});
