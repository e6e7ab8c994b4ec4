import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import { idempotency, idempotent } from "../../../sdk/index.ts";
import { createTable, deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { bodyOf, httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";

const client = localClient();
let table: string;
beforeAll(async () => {
  table = await createTable(client, "sdk-compose");
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

let n = 0;
const newKey = (label: string) => `${label}-${Date.now()}-${n++}`;

describe("composition with other Middy middlewares", () => {
  test("works before @middy/http-json-body-parser: the handler gets the parsed body and runs once", async () => {
    const seen: unknown[] = [];
    const handler = middy(async (event: { body: unknown }) => {
      seen.push(event.body);
      return { statusCode: 200, body: JSON.stringify({ ok: true }) };
    })
      .use(idempotency({ tableName: table, client, logger: () => {} }))
      .use(httpJsonBodyParser()) as unknown as (
      e: unknown,
      c: unknown,
    ) => Promise<{ statusCode: number; headers?: Record<string, string> }>;
    const key = newKey("parsed");
    const first = await handler(httpApiEvent({ amount: 7 }, { "Idempotency-Key": key }), lambdaContext());
    const second = await handler(httpApiEvent({ amount: 7 }, { "Idempotency-Key": key }), lambdaContext());
    const other = await handler(httpApiEvent({ amount: 8 }, { "Idempotency-Key": key }), lambdaContext());
    expect(seen).toEqual([{ amount: 7 }]);
    expect(first.statusCode).toBe(200);
    expect(second.headers?.["Idempotency-Status"]).toBe("replayed");
    expect(other.statusCode).toBe(422);
  });
});

describe("idempotent() with HTTP events", () => {
  const options = () => ({ tableName: table, client, logger: () => {} });

  test("hands the handler the parsed payload, the raw event, the context and the key", async () => {
    let input: Record<string, unknown> | undefined;
    const handler = idempotent((i) => {
      input = i as unknown as Record<string, unknown>;
    }, options());
    const key = newKey("input");
    const raw = httpApiEvent({ id: "evt_1" }, { "Idempotency-Key": key });
    const response = await handler(raw, lambdaContext());
    expect(bodyOf(response)).toEqual({ ok: true });
    expect(input).toMatchObject({ event: { id: "evt_1" }, raw, key, context: { functionName: "consumer-fn" } });
  });

  test("returns the handler's own HTTP response as is, and replays it", async () => {
    const handler = idempotent(() => ({ statusCode: 201, body: '{"created":true}' }), options());
    const event = httpApiEvent({}, { "Idempotency-Key": newKey("own") });
    expect(await handler(event, lambdaContext())).toEqual({ statusCode: 201, body: '{"created":true}' });
    expect(await handler(event, lambdaContext())).toMatchObject({
      statusCode: 201,
      body: '{"created":true}',
      headers: { "Idempotency-Status": "replayed" },
    });
  });

  test("answers 400 for a missing key without running the handler", async () => {
    let runs = 0;
    const handler = idempotent(() => {
      runs += 1;
    }, options());
    const response = (await handler(httpApiEvent({}), lambdaContext())) as { statusCode: number };
    expect(response.statusCode).toBe(400);
    expect(bodyOf(response).error).toBe("missing_idempotency_key");
    expect(runs).toBe(0);
  });
});
