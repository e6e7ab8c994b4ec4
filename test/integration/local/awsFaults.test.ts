import { randomUUID } from "node:crypto";
import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { type AwsFaultKind, awsFaultsFromEnvironment, injectAwsFaults } from "../../../local/awsFaults.ts";
import { createTable, deleteTable, localClient } from "../../support/dynamoDbTables.ts";

let plain: DynamoDBClient;
let table: string;
beforeAll(async () => {
  plain = localClient();
  table = await createTable(plain, "faults");
});
afterAll(async () => {
  await deleteTable(plain, table);
  plain.destroy();
});

/** A client with one attempt, every attempt faulted with `kind`: what the SDK hands back is the fault itself. */
function faulted(kind: AwsFaultKind) {
  const client = new DynamoDBClient({ maxAttempts: 1 });
  const counts = injectAwsFaults(client, { rate: 1, seed: 1, kinds: [kind], hangMs: 50 });
  return { client, counts };
}

const put = (client: DynamoDBClient, id: string) =>
  client.send(new PutItemCommand({ TableName: table, Item: { id: { S: id } } }));
const stored = async (id: string) =>
  (await plain.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } }, ConsistentRead: true }))).Item;

describe("injectAwsFaults", () => {
  test.each([
    ["lost", "TimeoutError", true],
    ["throttle", "ThrottlingException", false],
    ["server-error", "InternalServerError", false],
    ["hang", "TimeoutError", false],
  ] as const)("%s: fails the call with %s; applied: %s", async (kind, name, applied) => {
    const { client, counts } = faulted(kind);
    const id = randomUUID();
    await expect(put(client, id)).rejects.toMatchObject({ name });
    expect((await stored(id)) !== undefined).toBe(applied);
    expect(counts[kind]).toBe(1);
    expect(counts.byCommand).toEqual({ PutItemCommand: 1 });
    client.destroy();
  });

  test("throttles S3 the way S3 does: 503 SlowDown, which the SDK retries like any throttle", async () => {
    const s3 = new S3Client({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:9",
      forcePathStyle: true,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 3,
    });
    const counts = injectAwsFaults(s3, { rate: 1, seed: 1, kinds: ["throttle"] });
    const error = await s3
      .send(new GetObjectCommand({ Bucket: "bodies", Key: "k" }))
      .catch((failure: Error) => failure);
    expect(error).toMatchObject({ name: "SlowDown", $metadata: { httpStatusCode: 503 } });
    // Nothing was sent (the endpoint is closed): all three attempts were the injected throttle, retried by the SDK.
    expect(counts).toMatchObject({ throttle: 3, byCommand: { GetObjectCommand: 3 } });
    s3.destroy();
  });

  test("faults inside the SDK's retry loop: a throttled attempt is retried by the SDK and the call succeeds", async () => {
    const client = new DynamoDBClient({ maxAttempts: 8 });
    const counts = injectAwsFaults(client, { rate: 0.5, seed: 3, kinds: ["throttle"] });
    const ids = Array.from({ length: 10 }, () => randomUUID());
    for (const id of ids) await put(client, id);
    for (const id of ids) expect(await stored(id)).toBeDefined();
    // Some attempts were throttled, and the SDK's own retries got every call through.
    expect(counts.throttle).toBeGreaterThanOrEqual(1);
    client.destroy();
  });

  test("is seeded: the same seed faults the same attempts", async () => {
    const sequence = async () => {
      const client = new DynamoDBClient({ maxAttempts: 1 });
      injectAwsFaults(client, { rate: 0.3, seed: 42, kinds: ["server-error"] });
      const outcomes: boolean[] = [];
      for (let i = 0; i < 20; i++)
        outcomes.push(
          await put(client, randomUUID()).then(
            () => true,
            () => false,
          ),
        );
      client.destroy();
      return outcomes;
    };
    const first = await sequence();
    expect(await sequence()).toEqual(first);
    expect(first).toContain(false);
    expect(first).toContain(true);
  });

  test("reads ONCEGATE_AWS_FAULTS, and refuses a rate out of range or an unknown kind", () => {
    expect(awsFaultsFromEnvironment({})).toBeUndefined();
    expect(awsFaultsFromEnvironment({ ONCEGATE_AWS_FAULTS: "rate=0.05,seed=7,kinds=lost+hang" })).toEqual({
      rate: 0.05,
      seed: 7,
      kinds: ["lost", "hang"],
    });
    expect(() => awsFaultsFromEnvironment({ ONCEGATE_AWS_FAULTS: "rate=2,seed=1" })).toThrow(/rate/);
    expect(() => awsFaultsFromEnvironment({ ONCEGATE_AWS_FAULTS: "rate=0.1,seed=1,kinds=fire" })).toThrow(/fire/);
  });
});
