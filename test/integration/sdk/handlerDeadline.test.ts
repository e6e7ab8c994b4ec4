import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { DbClosedError, HandlerTimedOutError, InProgressError, makeIdempotent } from "../../../sdk/index.ts";
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
