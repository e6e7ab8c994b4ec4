import { describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { fingerprintOf } from "../../../sdk/fingerprint.ts";
import { idempotency, idempotent } from "../../../sdk/index.ts";
import { lambdaContext, sqsEvent, sqsRecord } from "../../support/lambdaEvents.ts";
import { newKey, seedRecord, suiteTables } from "../../support/suiteTables.ts";

// Item 3 of the SDK hardening: on a FIFO queue, a group stops at its first failed or refused record.
const tables = suiteTables("sdk-fifo");
const { client } = tables;
const table = () => tables.name(0);

function fifoRecord(group: string, body: Record<string, unknown>, key: string) {
  const record = sqsRecord(body, key);
  return {
    ...record,
    attributes: { ...record.attributes, MessageGroupId: group },
    eventSourceARN: "arn:aws:sqs:us-east-1:1:jobs.fifo",
  };
}

/** Another invocation's live claim on `key`, so the record is refused as in progress. */
async function holdElsewhere(key: string, body: Record<string, unknown>) {
  await seedRecord(client, table(), `consumer-fn#${key}`, {
    status: "IN_PROGRESS",
    fingerprint: fingerprintOf(JSON.stringify(body)),
    expiresAtEpochSec: Math.floor(Date.now() / 1000) + 3600,
  });
}

const ids = (response: unknown) =>
  (response as { batchItemFailures: { itemIdentifier: string }[] }).batchItemFailures.map((f) => f.itemIdentifier);

describe("FIFO batches", () => {
  test("idempotent(): after a failed record, later records of its group do not run and are reported; other groups go on", async () => {
    const ran: string[] = [];
    const handler = idempotent(
      ({ event }) => {
        const { name, fail } = event as { name: string; fail?: boolean };
        ran.push(name);
        if (fail) throw new Error("boom");
      },
      { tableName: table(), client, logger: () => {} },
    );
    const records = [
      fifoRecord("A", { name: "a1" }, newKey("a1")),
      fifoRecord("B", { name: "b1" }, newKey("b1")),
      fifoRecord("A", { name: "a2", fail: true }, newKey("a2")),
      fifoRecord("B", { name: "b2" }, newKey("b2")),
      fifoRecord("A", { name: "a3" }, newKey("a3")),
      fifoRecord("A", { name: "a4" }, newKey("a4")),
    ];
    const response = await handler(sqsEvent(records), lambdaContext());
    expect(ran).toEqual(["a1", "b1", "a2", "b2"]);
    expect(ids(response)).toEqual([2, 4, 5].map((i) => records[i]?.messageId));
  });

  test("idempotent(): a record in progress elsewhere stops its group too", async () => {
    const ran: string[] = [];
    const handler = idempotent(
      ({ event }) => {
        ran.push((event as { name: string }).name);
      },
      { tableName: table(), client, logger: () => {} },
    );
    const heldKey = newKey("held");
    await holdElsewhere(heldKey, { name: "a1" });
    const records = [
      fifoRecord("A", { name: "a1" }, heldKey),
      fifoRecord("A", { name: "a2" }, newKey("a2")),
      fifoRecord("B", { name: "b1" }, newKey("b1")),
    ];
    const response = await handler(sqsEvent(records), lambdaContext());
    expect(ran).toEqual(["b1"]);
    expect(ids(response)).toEqual([0, 1].map((i) => records[i]?.messageId));
  });

  test("middleware: a refused record keeps the later records of its group from the handler and reports them", async () => {
    const seen: string[] = [];
    const handler = middy(async (event: { Records: { body: string }[] }) => {
      for (const record of event.Records) seen.push(JSON.parse(record.body).name);
    }).use(idempotency({ tableName: table(), client, logger: () => {} })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<unknown>;
    const heldKey = newKey("held-mw");
    await holdElsewhere(heldKey, { name: "a2" });
    const records = [
      fifoRecord("A", { name: "a1" }, newKey("a1")),
      fifoRecord("A", { name: "a2" }, heldKey),
      fifoRecord("B", { name: "b1" }, newKey("b1")),
      fifoRecord("A", { name: "a3" }, newKey("a3")),
    ];
    const response = await handler(sqsEvent(records), lambdaContext());
    expect(seen).toEqual(["a1", "b1"]);
    expect(ids(response)).toEqual([1, 3].map((i) => records[i]?.messageId));
  });

  test("middleware: a record the handler reports failed takes the later records of its group with it", async () => {
    const handler = middy(async (event: { Records: { messageId: string; body: string }[] }) => ({
      batchItemFailures: event.Records.filter((r) => JSON.parse(r.body).fail).map((r) => ({
        itemIdentifier: r.messageId,
      })),
    })).use(idempotency({ tableName: table(), client, logger: () => {} })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<unknown>;
    const records = [
      fifoRecord("A", { name: "a1", fail: true }, newKey("a1")),
      fifoRecord("B", { name: "b1" }, newKey("b1")),
      fifoRecord("A", { name: "a2" }, newKey("a2")),
    ];
    const response = await handler(sqsEvent(records), lambdaContext());
    expect(ids(response)).toEqual([0, 2].map((i) => records[i]?.messageId));
  });

  test("a standard queue still reports only the failed record", async () => {
    const handler = idempotent(
      ({ event }) => {
        if ((event as { fail?: boolean }).fail) throw new Error("boom");
      },
      { tableName: table(), client, logger: () => {} },
    );
    const records = [sqsRecord({ fail: true }, newKey("s1")), sqsRecord({}, newKey("s2"))];
    expect(ids(await handler(sqsEvent(records), lambdaContext()))).toEqual([records[0]?.messageId]);
  });
});
