import { describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import httpErrorHandler from "@middy/http-error-handler";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import { createError } from "@middy/util";
import { ConfigurationError, DbClosedError, InvalidDbInputError, idempotency, idempotent } from "../../../sdk/index.ts";
import { getItem } from "../../support/dynamoDbTables.ts";
import { bodyOf, httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";
import { newKey, suiteTables } from "../../support/suiteTables.ts";

// Items 9–12 of the SDK hardening: composition with the Middy middlewares people use, and the small traps.
const tables = suiteTables("sdk-order", "sdk-order-charges");
const { client } = tables;
const table = () => tables.name(0);
const charges = () => tables.name(1);

type Http = { statusCode: number; body: string; headers?: Record<string, string> };
const quiet = () => {};

describe("with @middy/http-error-handler before idempotency()", () => {
  test("a thrown createError(404) reaches the client as 404 with its message, and the record is FAILED", async () => {
    const handler = middy(async () => {
      throw createError(404, "no such order");
    })
      .use(httpErrorHandler({ logger: false }))
      .use(idempotency({ tableName: table(), client, logger: quiet })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<Http>;
    const key = newKey("http-404");
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(response.statusCode).toBe(404);
    expect(response.body).toBe("no such order");
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "FAILED" });
  });

  test("a plain Error still answers 500 handler_failed", async () => {
    const handler = middy(async () => {
      throw new Error("boom");
    })
      .use(httpErrorHandler({ logger: false }))
      .use(idempotency({ tableName: table(), client, logger: quiet })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<Http>;
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": newKey("plain") }), lambdaContext());
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toMatchObject({ error: "handler_failed" });
  });
});

describe("the fingerprint is of the raw bytes", () => {
  const bigNumberBody = (digits: string) => `{"amount":${digits}}`;

  test("tells apart bodies that parse alike, with idempotency() before @middy/http-json-body-parser", async () => {
    const seen: unknown[] = [];
    const handler = middy(async (event: { body: unknown }) => {
      seen.push(event.body);
      return { statusCode: 200, body: "{}" };
    })
      .use(idempotency({ tableName: table(), client, logger: quiet }))
      .use(httpJsonBodyParser()) as unknown as (e: unknown, c: unknown) => Promise<Http>;
    const key = newKey("bignum");
    const first = await handler(
      httpApiEvent(bigNumberBody("9007199254740993"), { "Idempotency-Key": key }),
      lambdaContext(),
    );
    const other = await handler(
      httpApiEvent(bigNumberBody("9007199254740992"), { "Idempotency-Key": key }),
      lambdaContext(),
    );
    expect(first.statusCode).toBe(200);
    expect(other.statusCode).toBe(422);
    expect(bodyOf(other)).toMatchObject({ error: "idempotency_key_reused" });
    expect(seen).toHaveLength(1);
  });

  test("rejects, naming the fix, a body a parser placed before idempotency() already parsed", async () => {
    const handler = middy(async () => ({ statusCode: 200, body: "{}" }))
      .use(httpJsonBodyParser())
      .use(idempotency({ tableName: table(), client, logger: quiet })) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<Http>;
    const attempt = handler(httpApiEvent({ a: 1 }, { "Idempotency-Key": newKey("parsed") }), lambdaContext());
    await expect(attempt).rejects.toThrow(ConfigurationError);
    await expect(
      handler(httpApiEvent({ a: 1 }, { "Idempotency-Key": newKey("parsed") }), lambdaContext()),
    ).rejects.toThrow(/use idempotency\(\) before body parsers/);
  });
});

describe("a middleware that answers early", () => {
  test("a before middleware after idempotency() that answers early settles the claim with its answer", async () => {
    let runs = 0;
    const handler = middy(async () => {
      runs += 1;
      return { statusCode: 200, body: "{}" };
    })
      .use(idempotency({ tableName: table(), client, logger: quiet }))
      .use({ before: async () => ({ statusCode: 202, body: '{"queued":true}' }) }) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<Http>;
    const key = newKey("early");
    const event = httpApiEvent({}, { "Idempotency-Key": key });
    const first = await handler(event, lambdaContext());
    expect(first).toMatchObject({ statusCode: 202, body: '{"queued":true}' });
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "COMPLETED" });
    const second = await handler(event, lambdaContext());
    expect(second).toMatchObject({ statusCode: 202, headers: { "Idempotency-Status": "replayed" } });
    expect(runs).toBe(0);
  });

  test("an onError middleware used after idempotency() that answers early still leaves the record FAILED", async () => {
    const handler = middy(async () => {
      throw new Error("boom");
    })
      .use(idempotency({ tableName: table(), client, logger: quiet }))
      .use({ onError: async () => ({ statusCode: 500, body: "custom" }) }) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<Http>;
    const key = newKey("early-error");
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(response).toMatchObject({ statusCode: 500, body: "custom" });
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "FAILED" });
  });
});

describe("a handler that answers 5xx", () => {
  test("is not stored as the answer: the record is FAILED and a duplicate is refused, not replayed the 503", async () => {
    let runs = 0;
    const handler = idempotent(
      () => {
        runs += 1;
        return { statusCode: 503, body: '{"retry":true}' };
      },
      { tableName: table(), client, logger: quiet },
    );
    const key = newKey("returned-503");
    const event = httpApiEvent({}, { "Idempotency-Key": key });
    expect(await handler(event, lambdaContext())).toMatchObject({ statusCode: 503, body: '{"retry":true}' });
    expect(await getItem(client, table(), `consumer-fn#${key}`)).toMatchObject({ status: "FAILED" });
    expect(await handler(event, lambdaContext())).toMatchObject({ statusCode: 422 });
    expect(runs).toBe(1);
  });

  test("with onError release, the next delivery runs the handler again", async () => {
    let runs = 0;
    const handler = idempotent(
      () => {
        runs += 1;
        return runs === 1 ? { statusCode: 500, body: "{}" } : { statusCode: 200, body: "{}" };
      },
      { tableName: table(), client, onError: "release", logger: quiet },
    );
    const event = httpApiEvent({}, { "Idempotency-Key": newKey("returned-500") });
    expect(await handler(event, lambdaContext())).toMatchObject({ statusCode: 500 });
    expect(await handler(event, lambdaContext())).toMatchObject({ statusCode: 200 });
    expect(runs).toBe(2);
  });
});

describe("db", () => {
  test("refuses a Date at the call with a clear error instead of storing an empty map", async () => {
    const errors: unknown[] = [];
    const handler = idempotent(
      async ({ db, key }) => {
        await db.put({ TableName: charges(), Item: { id: key, at: new Date(0) } }).catch((error) => errors.push(error));
        return "done";
      },
      { tableName: table(), client, logger: quiet },
    );
    const key = newKey("date");
    await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    expect(errors[0]).toBeInstanceOf(InvalidDbInputError);
    expect(String((errors[0] as Error).message)).toMatch(/db\.put: .*toISOString/);
    expect(await getItem(client, charges(), key)).toBeUndefined();
  });

  test("throws for a write issued after the handler returned, instead of dropping it silently", async () => {
    let late: Promise<void> | undefined;
    const handler = idempotent(
      ({ db, key }) => {
        late = new Promise<void>((resolve) => setTimeout(resolve, 50)).then(() =>
          db.put({ TableName: charges(), Item: { id: key } }),
        );
        return "returned";
      },
      { tableName: table(), client, logger: quiet },
    );
    const key = newKey("late");
    await handler(httpApiEvent({}, { "Idempotency-Key": key }), lambdaContext());
    await expect(late).rejects.toBeInstanceOf(DbClosedError);
    expect(await getItem(client, charges(), key)).toBeUndefined();
  });
});

describe("options", () => {
  test("rejects an option the SDK does not know, naming it, for JavaScript callers too", () => {
    const options = { tableName: table(), createTable: true } as unknown as Parameters<typeof idempotency>[0];
    expect(() => idempotency(options)).toThrow(ConfigurationError);
    expect(() => idempotency(options)).toThrow(/`createTable`.*table-setup/);
    expect(() => idempotent(() => 1, { tableName: table(), retentionSecs: 5 } as never)).toThrow(/`retentionSecs`/);
  });
});
