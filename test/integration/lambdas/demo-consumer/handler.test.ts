import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { outboundHeaders } from "../../../../lambdas/delivery/outboundHeaders.ts";
import { DEMO_CONSUMER_ENV } from "../../../../lambdas/demo-consumer/environment.ts";
import { createDemoConsumer, demoConsumerFromEnvironment } from "../../../../lambdas/demo-consumer/handler.ts";
import { idempotencyKeyFor } from "../../../../lambdas/shared/eventKey.ts";
import { createSecretResolver } from "../../../../lambdas/shared/secrets.ts";
import { ensureIdempotencyTable } from "../../../../sdk/tableSetup.ts";
import { deleteTable, localClient } from "../../../support/dynamoDbTables.ts";
import { httpApiEvent } from "../../../support/lambdaEvents.ts";

// What the CDK app's generated secret looks like: 64 letters and digits, i.e. bare base64.
const SIGNING_SECRET = randomBytes(48)
  .toString("base64")
  .replace(/[^A-Za-z0-9]/g, "A");
const NOW_MS = Date.now();
const tableName = `demo-consumer-${randomUUID().slice(0, 8)}`;
const ddb = localClient();
// In AWS the table comes from the IdempotencyTable construct; here, from the SDK's local set-up entry point.
beforeAll(() => ensureIdempotencyTable(ddb, tableName));
afterAll(async () => {
  await deleteTable(ddb, tableName);
  ddb.destroy();
});

/** A delivery exactly as the gateway's delivery Lambda sends it, as a Function URL event. */
function delivery(eventId: string, body: object, secret = SIGNING_SECRET, attempt = 1) {
  const payload = Buffer.from(JSON.stringify(body));
  const headers = outboundHeaders({
    idempotencyKey: idempotencyKeyFor("demo", eventId),
    provider: "demo",
    eventId,
    contentType: "application/json",
    attempt,
    trigger: attempt === 1 ? "initial" : "retry",
    timestampSec: Math.floor(NOW_MS / 1000),
    payload,
    signingSecrets: [secret],
  });
  return httpApiEvent(payload.toString(), headers) as unknown as APIGatewayProxyEventV2;
}

const logs: Record<string, unknown>[] = [];
const consumer = createDemoConsumer({
  signingSecret: { env: "DEMO_SIGNING_SECRET" },
  secrets: createSecretResolver({ env: { DEMO_SIGNING_SECRET: SIGNING_SECRET } }),
  tableName,
  clock: { nowMs: () => NOW_MS },
  logger: (line) => logs.push(line),
});
const context = { functionName: "oncegate-demo-consumer" };
type Answer = { statusCode: number; headers?: Record<string, string>; body: string };

describe("demo consumer", () => {
  test("runs once for a signed delivery, and replays its answer to a redelivery without running again", async () => {
    const eventId = `evt_${randomUUID()}`;
    const first = (await consumer(delivery(eventId, { amount: 5 }), context)) as Answer;
    const again = (await consumer(delivery(eventId, { amount: 5 }, SIGNING_SECRET, 2), context)) as Answer;
    const key = idempotencyKeyFor("demo", eventId);
    expect(first.statusCode).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ ok: true, result: { received: key } });
    expect(again.statusCode).toBe(200);
    expect(again.headers?.["Idempotency-Status"]).toBe("replayed");
    expect(JSON.parse(again.body)).toEqual(JSON.parse(first.body));
    expect(logs.filter((line) => line.key === key && line.msg === "oncegate.demo_consumer")).toEqual([
      { level: "info", msg: "oncegate.demo_consumer", key, provider: "demo" },
    ]);
  });

  test("refuses a delivery signed with another secret with 401, before claiming its key", async () => {
    const eventId = `evt_${randomUUID()}`;
    const forged = delivery(eventId, { amount: 5 }, randomBytes(32).toString("base64"));
    const answer = (await consumer(forged, context)) as Answer;
    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({ ok: false, error: "invalid_signature" });
    // The key was not burnt: the genuine delivery still runs.
    expect(((await consumer(delivery(eventId, { amount: 5 }), context)) as Answer).statusCode).toBe(200);
  });

  test("refuses a request without the gateway's signature headers", async () => {
    const unsigned = httpApiEvent(
      { amount: 5 },
      { "idempotency-key": randomUUID() },
    ) as unknown as APIGatewayProxyEventV2;
    expect(((await consumer(unsigned, context)) as Answer).statusCode).toBe(401);
  });

  test("fails to build from an environment without its variables, naming the missing one", () => {
    expect(() => demoConsumerFromEnvironment({ [DEMO_CONSUMER_ENV.idempotencyTable]: "t" })).toThrow(
      `${DEMO_CONSUMER_ENV.signingSecretArn}: environment variable is not set`,
    );
  });
});
