import { randomUUID } from "node:crypto";
import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, test } from "@jest/globals";
import { idempotent } from "../../../sdk/index.ts";
import { ensureIdempotencyTable } from "../../../sdk/tableSetup.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";
import { countRequests } from "../../support/requestCounter.ts";

const client = localClient();
const created: string[] = [];
afterAll(async () => {
  for (const name of created) await deleteTable(client, name);
  client.destroy();
});

describe("ensureIdempotencyTable (@oncegate/sdk/table-setup)", () => {
  test("creates a missing table with TTL on expiresAt, once, even under concurrent calls", async () => {
    const tableName = `sdk-setup-${randomUUID().slice(0, 8)}`;
    created.push(tableName);
    await Promise.all([1, 2, 3].map(() => ensureIdempotencyTable(client, tableName)));
    const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(table.Table?.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });

    const handler = idempotent(() => "ok", { tableName, client, logger: () => {} });
    const response = (await handler(httpApiEvent({}, { "Idempotency-Key": "k" }), lambdaContext())) as {
      statusCode: number;
    };
    expect(response.statusCode).toBe(200);
  });

  test("leaves an existing table as it is, with one DescribeTable", async () => {
    const tableName = `sdk-setup-${randomUUID().slice(0, 8)}`;
    created.push(tableName);
    await ensureIdempotencyTable(client, tableName);
    const other = localClient();
    const counter = countRequests(other);
    try {
      await ensureIdempotencyTable(other, tableName);
      expect(counter.take()).toEqual(["DescribeTableCommand"]);
    } finally {
      other.destroy();
    }
  });
});

describe("the middleware and idempotent()", () => {
  test("never create a table, even when the endpoint is local: a missing table answers 500 idempotency_store_misconfigured and stays missing", async () => {
    const tableName = `sdk-missing-${randomUUID().slice(0, 8)}`;
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/127\.0\.0\.1|localhost/);
    const handler = idempotent(() => "ok", { tableName, logger: () => {} });
    const response = (await handler(httpApiEvent({}, { "Idempotency-Key": "k" }), lambdaContext())) as {
      statusCode: number;
      body: string;
    };
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body)).toMatchObject({ error: "idempotency_store_misconfigured" });
    await expect(client.send(new DescribeTableCommand({ TableName: tableName }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});
