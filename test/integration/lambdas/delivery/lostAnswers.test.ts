import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { describe, expect, test } from "@jest/globals";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import { deliverySuite, destination, harnessHandler, jobEvent } from "../../../support/deliveryHarness.ts";
import { respond } from "../../../support/scriptedConsumer.ts";

const suite = deliverySuite(5);

/**
 * A DynamoDB client whose first `commandName` attempt is applied and then its answer lost (a reset connection): the
 * SDK, with its retries as in the gateway, sends the same request again.
 */
function losingFirstAnswer(commandName = "UpdateItemCommand"): DynamoDBClient {
  const client = new DynamoDBClient({ maxAttempts: 3 });
  let lost = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      if (context.commandName === commandName && !lost) {
        lost = true;
        throw Object.assign(new Error("socket hang up"), { name: "TimeoutError", $metadata: {} });
      }
      return out;
    },
    { step: "finalizeRequest", priority: "low", name: "loseOneAnswer" },
  );
  return client;
}

describe("an answer lost after the delivery's update applied", () => {
  test.each([
    ["a retry", 503, "PENDING"],
    ["a delivery", 200, "DELIVERED"],
  ])("records %s once: one attempt counted, one attempt listed", async (_case, status, expected) => {
    const item = queuedEvent(["orders"]);
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
    suite.consumer.script(respond(status));
    const ddb = losingFirstAnswer();
    const handler = harnessHandler(suite.harness, suite.queueUrl, {
      config: { destinations: [destination("orders", suite.consumer.url)], retryScheduleSeconds: [1, 1, 1] },
      ddb,
    });
    await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    ddb.destroy();
    const stored = await storedEvent(suite.harness.ddb, suite.harness.eventsTable, item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: expected, attempts: 1 });
    expect(stored.attempts).toHaveLength(1);
  });
});

describe("an answer lost after a retry's attempt item was put", () => {
  test("lists the attempt once: the SDK's retry of the put finds its own record", async () => {
    const item = queuedEvent(["orders"]);
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
    suite.consumer.script(respond(503));
    const ddb = losingFirstAnswer("PutItemCommand");
    const handler = harnessHandler(suite.harness, suite.queueUrl, {
      config: { destinations: [destination("orders", suite.consumer.url)], retryScheduleSeconds: [1, 1, 1] },
      ddb,
    });
    await handler(jobEvent({ job: { pk: item.pk, destination: "orders" } }));
    ddb.destroy();
    const stored = await storedEvent(suite.harness.ddb, suite.harness.eventsTable, item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "PENDING", attempts: 1 });
    expect(stored.attempts.map((entry) => entry.attempt)).toEqual([1]);
  });
});

describe("two duplicate jobs making the same attempt at once", () => {
  test("lists both POSTs: the second attempt item under the same number is stored beside the first", async () => {
    const item = queuedEvent(["orders"]);
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
    suite.consumer.script(respond(503, "busy"));
    const handler = harnessHandler(suite.harness, suite.queueUrl, {
      config: { destinations: [destination("orders", suite.consumer.url)], retryScheduleSeconds: [1, 1, 1] },
    });
    const job = { pk: item.pk, destination: "orders" };
    // One batch, two copies of the job: both read attempts = 0 and POST attempt 1.
    await handler(jobEvent({ job, messageId: "m-a" }, { job, messageId: "m-b" }));
    const stored = await storedEvent(suite.harness.ddb, suite.harness.eventsTable, item.pk);
    expect(stored.attempts.map((entry) => [entry.attempt, entry.statusCode])).toEqual([
      [1, 503],
      [1, 503],
    ]);
  });
});
