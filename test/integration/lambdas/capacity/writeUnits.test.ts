import { randomBytes, randomUUID } from "node:crypto";
import type { ConsumedCapacity, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { newStripeSecret, stripeDelivery, stripeEventBody } from "../../../../bench/intake/stripeEvents.ts";
import { createDeliveryHandler } from "../../../../lambdas/delivery/deliveryHandler.ts";
import { createIntakeHandler } from "../../../../lambdas/intake/handler.ts";
import { ensureEventsTable } from "../../../../lambdas/shared/eventsTable.ts";
import { parseGatewayConfig } from "../../../../lambdas/shared/parseGatewayConfig.ts";
import { createSecretResolver } from "../../../../lambdas/shared/secrets.ts";
import { localBodyBucketAt } from "../../../../local/services/bodyBucket.ts";
import { pollOnce } from "../../../../local/sqsEventSource.ts";
import { deleteTable, localClient } from "../../../support/dynamoDbTables.ts";
import { createQueueWithDlq, type LocalSqs, startLocalSqs } from "../../../support/fauxqs.ts";

/**
 * What one delivered event costs in DynamoDB capacity, as DynamoDB Local reports it (`ReturnConsumedCapacity:
 * TOTAL`, which includes every index the write touched): every write the intake and the delivery make, for one
 * destination and a first-try delivery. The cost model (`npm run bench:cost`) reproduces these numbers.
 */

const WRITES = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand", "BatchWriteItemCommand"]);

interface Tally {
  writeUnits: number;
  readUnits: number;
  /** Refused conditional writes report no capacity (DynamoDB still bills them). */
  refused: number;
}

function measured(client: DynamoDBClient): { take(): Tally } {
  let tally: Tally = { writeUnits: 0, readUnits: 0, refused: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = "TOTAL";
      try {
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (WRITES.has(String(context.commandName))) tally.writeUnits += units;
        else tally.readUnits += units;
        return result;
      } catch (error) {
        if ((error as { name?: string }).name === "ConditionalCheckFailedException") tally.refused += 1;
        throw error;
      }
    },
    { step: "initialize", name: "totalCapacity" },
  );
  return {
    take() {
      const taken = tally;
      tally = { writeUnits: 0, readUnits: 0, refused: 0 };
      return taken;
    },
  };
}

const stripeSecret = newStripeSecret();
const signingSecret = newStripeSecret();
const config = parseGatewayConfig({
  providers: { stripe: { scheme: "stripe", secrets: [{ env: "STRIPE" }] } },
  destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ env: "SIGNING" }] }],
});

let ddb: DynamoDBClient;
let sqs: LocalSqs;
let eventsTable: string;
let queueUrl: string;
beforeAll(async () => {
  ddb = localClient();
  sqs = await startLocalSqs();
  eventsTable = `capacity-${randomUUID().slice(0, 8)}`;
  await ensureEventsTable(ddb, eventsTable);
  queueUrl = (await createQueueWithDlq(sqs.sqs, { prefix: "capacity" })).queueUrl;
});
afterAll(async () => {
  await sqs.stop();
  await deleteTable(ddb, eventsTable);
  ddb.destroy();
});

/** Accepts one event with `body` and delivers it once (the consumer answers `status`); the capacity of each half. */
async function acceptAndDeliver(body: string, status = 200) {
  const client = localClient();
  const capacity = measured(client);
  const intake = createIntakeHandler({
    ...(await localBodyBucketAt(sqs.endpoint)),
    config,
    secrets: createSecretResolver({ env: { STRIPE: stripeSecret, SIGNING: signingSecret } }),
    ddb: client,
    sqs: sqs.sqs,
    eventsTable,
    queueUrl,
    logger: () => {},
  });
  const eventId = (JSON.parse(body) as { id: string }).id;
  expect((await intake(stripeDelivery(stripeSecret, eventId, body))).statusCode).toBe(202);
  const accepted = capacity.take();
  const delivery = createDeliveryHandler({
    config: {
      destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [signingSecret] }],
    },
    ddb: client,
    sqs: sqs.sqs,
    s3: (await localBodyBucketAt(sqs.endpoint)).s3,
    eventsTable,
    queueUrl,
    fetch: async () => new Response('{"ok":true}', { status }),
    logger: () => {},
  });
  const poll = await pollOnce({ sqs: sqs.sqs, queueUrl, handler: delivery, maxMessages: 1, waitTimeSeconds: 1 });
  expect(poll.received).toHaveLength(1);
  const delivered = capacity.take();
  // A provider's retry, once the event is QUEUED: one refused conditional put of the small state, nothing else.
  expect((await intake(stripeDelivery(stripeSecret, eventId, body))).statusCode).toBe(200);
  const duplicate = capacity.take();
  client.destroy();
  return { accepted, delivered, duplicate };
}

describe("DynamoDB capacity per delivered event (one destination, first-try delivery)", () => {
  test("a 2 KB Stripe event costs 5 write units in all, indexes included (14 in one item, 7 with a sweep index)", async () => {
    const body = stripeEventBody(`evt_${randomUUID().replaceAll("-", "")}`, 2048);
    expect(Buffer.byteLength(body)).toBe(2048);
    const { accepted, delivered, duplicate } = await acceptAndDeliver(body);
    // Intake: state put + its listing index entry, body put (gzip, under 1 KB), markQueued (no index key touched).
    // Delivery: one update settles the destination and the event.
    expect({ intake: accepted.writeUnits, delivery: delivered.writeUnits }).toEqual({ intake: 4, delivery: 1 });
    // The state (under 4 KB) and the body, each read once, strongly consistent; and half a unit for the destination's
    // control item (eventually consistent, read once a second per container: at any real rate a sliver per event).
    expect(delivered.readUnits).toBe(2.5);
    expect(duplicate).toEqual({ writeUnits: 0, readUnits: 0, refused: 1 });
  });

  test("a status change costs one write unit whatever the body's size: the settling update of a 64 KB event", async () => {
    const body = stripeEventBody(`evt_${randomUUID().replaceAll("-", "")}`, 65_536);
    const { accepted, delivered } = await acceptAndDeliver(body);
    expect(delivered.writeUnits).toBe(1);
    // The body (gzip: about 18 KB, above the 7 KB inline limit) goes to S3; the state is written twice, with its index entry.
    expect(accepted.writeUnits).toBeLessThan(30);
  });

  test("a 2 KB body that compresses badly costs what its stored form takes: base64 of random bytes, 6 in all", async () => {
    const id = `evt_${randomUUID().replaceAll("-", "")}`;
    const body = JSON.stringify({ id, object: "event", data: randomBytes(1500).toString("base64") });
    const { accepted, delivered } = await acceptAndDeliver(body);
    expect(Buffer.byteLength(body)).toBeGreaterThan(2000);
    // gzip keeps about 3 bytes of base64 in 4: a body item of 1.5 KB, 2 units instead of 1.
    expect(accepted.writeUnits + delivered.writeUnits).toBe(6);
  });
});
