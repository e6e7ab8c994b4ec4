import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { ConfigurationError, idempotency, idempotent } from "../../../sdk/index.ts";
import { createTable, deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { faultyClient } from "../../support/dynamoFaults.ts";
import { bodyOf, httpApiEvent, lambdaContext, sqsEvent, sqsRecord } from "../../support/lambdaEvents.ts";

// Item 6 of the SDK hardening: a store that refuses the claim for good is a deployment problem, not throttling.
const client = localClient();
let table: string;
beforeAll(async () => {
  table = await createTable(client, "sdk-claim-errors");
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

function denyingClient(name: string) {
  const { client: denying } = faultyClient(() => undefined);
  denying.middlewareStack.add(
    () => async () => {
      throw Object.assign(new Error(`refused (${name})`), { name, $metadata: { httpStatusCode: 400 } });
    },
    { step: "initialize", name: "deny" },
  );
  return denying;
}

describe("a claim DynamoDB refuses for good", () => {
  test("answers 500 idempotency_store_misconfigured (no Retry-After) for a missing table, logged at error with the cause", async () => {
    const logs: Record<string, unknown>[] = [];
    let runs = 0;
    const handler = idempotent(
      () => {
        runs += 1;
      },
      { tableName: "no-such-idempotency-table", client, logger: (line) => logs.push(line) },
    );
    const response = (await handler(httpApiEvent({}, { "Idempotency-Key": "k1" }), lambdaContext())) as {
      statusCode: number;
      headers: Record<string, string>;
    };
    expect(response.statusCode).toBe(500);
    expect(response.headers["Retry-After"]).toBeUndefined();
    expect(bodyOf(response)).toMatchObject({ error: "idempotency_store_misconfigured" });
    expect(runs).toBe(0);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        error: "idempotency_store_misconfigured",
        cause: "ResourceNotFoundException",
      }),
    );
  });

  test.each(["AccessDeniedException", "ValidationException", "UnrecognizedClientException"])(
    "answers 500 idempotency_store_misconfigured for %s",
    async (name) => {
      const denying = denyingClient(name);
      const handler = idempotent(() => "ran", { tableName: table, client: denying, logger: () => {} });
      const response = await handler(httpApiEvent({}, { "Idempotency-Key": "k2" }), lambdaContext());
      expect(response).toMatchObject({ statusCode: 500 });
      expect(bodyOf(response)).toMatchObject({ error: "idempotency_store_misconfigured" });
      denying.destroy();
    },
  );

  test("reports an SQS record whose claim is refused, without running the handler", async () => {
    const denying = denyingClient("AccessDeniedException");
    let runs = 0;
    const handler = idempotent(
      () => {
        runs += 1;
      },
      { tableName: table, client: denying, logger: () => {} },
    );
    const record = sqsRecord({}, "k3");
    expect(await handler(sqsEvent([record]), lambdaContext())).toEqual({
      batchItemFailures: [{ itemIdentifier: record.messageId }],
    });
    expect(runs).toBe(0);
    denying.destroy();
  });

  test("rejects at creation a scope that would make a record id longer than DynamoDB's partition key limit", () => {
    expect(() => idempotency({ tableName: table, scope: "s".repeat(1300) })).toThrow(ConfigurationError);
    expect(() => idempotency({ tableName: table, scope: "s".repeat(1300) })).toThrow(/`scope`.*2048-byte/);
    expect(() => idempotency({ tableName: table, scope: "s".repeat(1000) })).not.toThrow();
  });
});
