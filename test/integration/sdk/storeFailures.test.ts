import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import middy from "@middy/core";
import { mockClient } from "aws-sdk-client-mock";
import { idempotency } from "../../../sdk/index.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";
import { bodyOf, httpApiEvent, lambdaContext } from "../../support/lambdaEvents.ts";

const client = localClient();
let table: string;
beforeAll(async () => {
  table = await createTable(client, "sdk-faults");
});
afterAll(async () => {
  await deleteTable(client, table);
  client.destroy();
});

function wrapped(ddb: DynamoDBClient, logs: Record<string, unknown>[] = []) {
  const calls = { count: 0 };
  const handler = middy(async () => {
    calls.count += 1;
    return { statusCode: 200, body: "{}" };
  }).use(idempotency({ tableName: table, client: ddb, logger: (line) => logs.push(line) }));
  return { handler: handler as unknown as (e: unknown, c: unknown) => Promise<{ statusCode: number }>, calls };
}

describe("DynamoDB failures", () => {
  test("answers 503 idempotency_store_unavailable when the claim is throttled, and does not run the handler", async () => {
    const throttled = new DynamoDBClient({ region: "us-east-1" });
    const mock = mockClient(throttled);
    mock.on(PutItemCommand).rejects(
      Object.assign(new Error("Rate of requests exceeds the allowed throughput."), {
        name: "ThrottlingException",
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const { handler, calls } = wrapped(throttled);
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": "throttled-1" }), lambdaContext());
    expect(response.statusCode).toBe(503);
    expect(bodyOf(response)).toMatchObject({ ok: false, error: "idempotency_store_unavailable" });
    expect(calls.count).toBe(0);
    expect(mock.commandCalls(UpdateItemCommand)).toHaveLength(0);
    mock.restore();
  });

  test("answers 503 when DynamoDB cannot be reached at all", async () => {
    const unreachable = new DynamoDBClient({ endpoint: "http://127.0.0.1:1", maxAttempts: 1 });
    const { handler, calls } = wrapped(unreachable);
    const response = await handler(httpApiEvent({}, { "Idempotency-Key": "unreachable-1" }), lambdaContext());
    expect(response.statusCode).toBe(503);
    expect(calls.count).toBe(0);
    unreachable.destroy();
  });

  test("completes after a completion write that timed out once: the retry finds or makes the completion", async () => {
    const flaky = localClient();
    let failNextUpdate = true;
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "UpdateItemCommand" && failNextUpdate) {
          failNextUpdate = false;
          throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
        }
        return next(args);
      },
      { step: "initialize", name: "failCompletionOnce" },
    );
    const { handler, calls } = wrapped(flaky);
    const event = httpApiEvent({}, { "Idempotency-Key": "completion-fails-once" });
    expect((await handler(event, lambdaContext())).statusCode).toBe(200);
    expect(await getItem(client, table, "consumer-fn#completion-fails-once")).toMatchObject({ status: "COMPLETED" });
    expect((await handler(event, lambdaContext())).statusCode).toBe(200);
    expect(calls.count).toBe(1);
    flaky.destroy();
  });

  test("answers 500 completion_failed when every completion write times out, leaves the record IN_PROGRESS, never re-runs, and logs an error", async () => {
    // A real DynamoDB Local client whose completion (UpdateItem) never gets an answer, as if the network dropped:
    // the outcome is unknown, so the record must stay IN_PROGRESS.
    const flaky = localClient();
    flaky.middlewareStack.add(
      (next, context) => async (args) => {
        const update = (args.input as { UpdateExpression?: string }).UpdateExpression;
        if (context.commandName === "UpdateItemCommand" && update?.includes("completedAtMs")) {
          throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
        }
        return next(args);
      },
      { step: "initialize", name: "failEveryCompletion" },
    );
    const logs: Record<string, unknown>[] = [];
    const { handler, calls } = wrapped(flaky, logs);
    const event = httpApiEvent({}, { "Idempotency-Key": "completion-fails" });
    const response = await handler(event, lambdaContext());
    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toMatchObject({ ok: false, error: "completion_failed" });
    expect(await getItem(client, table, "consumer-fn#completion-fails")).toMatchObject({ status: "IN_PROGRESS" });
    expect(logs).toContainEqual(expect.objectContaining({ level: "error", error: "completion_failed" }));
    for (let i = 0; i < 3; i++) expect((await handler(event, lambdaContext())).statusCode).toBe(409);
    expect(calls.count).toBe(1);
    flaky.destroy();
  });
});

describe("logging", () => {
  test("writes one JSON line per invocation with key, scope, outcome and durations, and never the payload", async () => {
    const logs: Record<string, unknown>[] = [];
    const { handler } = wrapped(client, logs);
    const event = httpApiEvent({ card: "4242424242424242" }, { "Idempotency-Key": "logged-1" });
    await handler(event, lambdaContext());
    await handler(event, lambdaContext());
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatchObject({ scope: "consumer-fn", key: "logged-1", outcome: "executed" });
    expect(logs[0]).toHaveProperty("claimMs");
    expect(logs[0]).toHaveProperty("handlerMs");
    expect(logs[0]).toHaveProperty("totalMs");
    expect(logs[1]).toMatchObject({ outcome: "replayed" });
    expect(JSON.stringify(logs)).not.toContain("4242");
  });
});
