import { randomUUID } from "node:crypto";
import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, describe, expect, test } from "@jest/globals";
import { idempotent } from "../../../sdk/index.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";

const client = localClient();
const created: string[] = [];
afterAll(async () => {
  for (const name of created) await deleteTable(client, name);
  client.destroy();
});

describe("createTable", () => {
  test("creates a missing table with TTL on expiresAt when the endpoint is local, even under concurrent first calls", async () => {
    const tableName = `sdk-autocreate-${randomUUID().slice(0, 8)}`;
    created.push(tableName);
    const handler = idempotent(() => "ok", { tableName, logger: () => {} });
    const responses = (await Promise.all(
      [1, 2, 3].map((i) => handler(httpApiEvent({}, { "Idempotency-Key": `k${i}` }), lambdaContext())),
    )) as { statusCode: number }[];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(table.Table?.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
  });

  test("does not create tables when createTable is false", async () => {
    const tableName = `sdk-nocreate-${randomUUID().slice(0, 8)}`;
    const handler = idempotent(() => "ok", { tableName, logger: () => {}, createTable: false });
    const response = (await handler(httpApiEvent({}, { "Idempotency-Key": "k" }), lambdaContext())) as {
      statusCode: number;
    };
    expect(response.statusCode).toBe(503);
    await expect(client.send(new DescribeTableCommand({ TableName: tableName }))).rejects.toMatchObject({
      name: "ResourceNotFoundException",
    });
  });
});
