import { describe, expect, test } from "@jest/globals";

describe("runtime", () => {
  test("runs on Node 24, the Lambda runtime Oncegate deploys on", () => {
    expect(process.versions.node.split(".")[0]).toBe("24");
  });
});

describe("test harness", () => {
  test("points the AWS SDK at the DynamoDB Local the harness started", async () => {
    const { DynamoDBClient, ListTablesCommand } = await import("@aws-sdk/client-dynamodb");
    expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new DynamoDBClient({});
    await expect(client.send(new ListTablesCommand({}))).resolves.toHaveProperty("TableNames");
    client.destroy();
  });
});
