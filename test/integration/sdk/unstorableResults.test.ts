import { describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { idempotency, idempotent } from "../../../sdk/index.ts";
import { getItem } from "../../support/dynamoDbTables.ts";
import {
  bodyOf,
  eventBridgeEvent,
  httpApiEvent,
  lambdaContext,
  sqsEvent,
  sqsRecord,
} from "../../support/lambdaEvents.ts";
import { newKey, suiteTables } from "../../support/suiteTables.ts";

// Item 2 of the SDK hardening: a result JSON.stringify cannot handle must never strand the key.
const tables = suiteTables("sdk-unstorable", "sdk-unstorable-charges");
const { client } = tables;
const table = () => tables.name(0);
const charges = () => tables.name(1);

const circular = () => {
  const value: Record<string, unknown> = { ok: true };
  value.self = value;
  return value;
};

describe("a result that cannot be stored", () => {
  test("commits the completion and the db writes, logs response_unstorable at error level, and replays { ok, deduped }", async () => {
    const logs: Record<string, unknown>[] = [];
    let runs = 0;
    const handler = middy(async (_event: unknown, context: { idempotency?: { db: never; key: string } }) => {
      runs += 1;
      const { db, key } = context.idempotency as unknown as {
        db: { put(i: unknown): Promise<void> };
        key: string;
      };
      await db.put({ TableName: charges(), Item: { id: key } });
      return { id: "evt", amount: 10n };
    }).use(idempotency({ tableName: table(), client, logger: (line) => logs.push(line) })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<unknown>;
    const key = newKey("bigint");
    const event = eventBridgeEvent(key, { a: 1 });
    await handler(event, lambdaContext());
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({
      status: "COMPLETED",
      responseKind: "unstorable",
    });
    expect(await getItem(client, charges(), key)).toEqual({ id: key });
    expect(logs).toContainEqual(
      expect.objectContaining({ level: "error", outcome: "executed", error: "response_unstorable" }),
    );
    expect(await handler(event, lambdaContext())).toEqual({ ok: true, deduped: true });
    expect(runs).toBe(1);
  });

  test("an SQS batch with a circular result completes the record and reports nothing", async () => {
    const handler = idempotent(() => circular(), { tableName: table(), client, logger: () => {} });
    const key = newKey("circular-sqs");
    const record = sqsRecord({ a: 1 }, key);
    expect(await handler(sqsEvent([record]), lambdaContext())).toEqual({ batchItemFailures: [] });
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
  });

  test("idempotent() over HTTP answers 200 { ok: true } for a circular result, and the duplicate the same", async () => {
    let runs = 0;
    const handler = idempotent(
      () => {
        runs += 1;
        return circular();
      },
      { tableName: table(), client, logger: () => {} },
    );
    const key = newKey("circular-http");
    const event = httpApiEvent({}, { "Idempotency-Key": key });
    const first = await handler(event, lambdaContext());
    expect(first).toMatchObject({ statusCode: 200 });
    expect(bodyOf(first)).toEqual({ ok: true });
    const second = await handler(event, lambdaContext());
    expect(bodyOf(second)).toEqual({ ok: true });
    expect(runs).toBe(1);
  });
});
