import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, test } from "@jest/globals";
import { itemSizeBytes } from "../../../../bench/dynamoItemSize.ts";
import { stateKey } from "../../../../lambdas/shared/eventItemKeys.ts";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import { deliverySuite, destination, harnessHandler, jobEvent } from "../../../support/deliveryHarness.ts";
import { inSequence, respond } from "../../../support/scriptedConsumer.ts";

const suite = deliverySuite(5);

async function stateBytes(pk: string): Promise<number> {
  const { Item } = await suite.harness.ddb.send(
    new GetItemCommand({ TableName: suite.harness.eventsTable, Key: stateKey(pk), ConsistentRead: true }),
  );
  return itemSizeBytes(Item ?? {});
}

async function attemptKeys(pk: string): Promise<{ sk: string; expiresAt: number }[]> {
  const { Items } = await suite.harness.ddb.send(
    new QueryCommand({
      TableName: suite.harness.eventsTable,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": { S: pk }, ":prefix": { S: "attempt#" } },
    }),
  );
  return (Items ?? []).map((item) => unmarshall(item) as { sk: string; expiresAt: number });
}

describe("attempts are items of their own", () => {
  test("lists the attempts in order: the retries' items, then the settling attempt from the destination's state", async () => {
    const item = queuedEvent(["orders"]);
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
    suite.consumer.script(inSequence(respond(503, "busy"), respond(500, "oops"), respond(200, "thanks")));
    let nowMs = Date.now();
    const handler = harnessHandler(suite.harness, suite.queueUrl, {
      config: { destinations: [destination("orders", suite.consumer.url)], retryScheduleSeconds: [1, 1, 1] },
      clock: { nowMs: () => nowMs },
    });
    for (let attempt = 1; attempt <= 3; attempt++) {
      await handler(jobEvent({ job: { pk: item.pk, destination: "orders" }, attempt }));
      nowMs += 60_000;
    }
    const stored = await storedEvent(suite.harness.ddb, suite.harness.eventsTable, item.pk);
    expect(
      stored.attempts.map(({ attempt, statusCode, responseBodyExcerpt }) => [attempt, statusCode, responseBodyExcerpt]),
    ).toEqual([
      [1, 503, "busy"],
      [2, 500, "oops"],
      [3, 200, "thanks"],
    ]);
    // Two items for the two retries, TTL'd with the event; the delivered attempt is the state's record.
    expect(await attemptKeys(item.pk)).toEqual(
      [
        { sk: "attempt#orders#00001", expiresAt: item.expiresAt },
        { sk: "attempt#orders#00002", expiresAt: item.expiresAt },
      ].map((expected) => expect.objectContaining(expected)),
    );
    expect(stored.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 3, settledByAttempt: 3 });
  });

  test("keeps every one of 40 attempts of redrives and duplicates, and the state's size does not grow with them", async () => {
    // Many redrives have raised the limit far past the schedule.
    const item = queuedEvent(["orders", "billing"], {
      destinations: {
        orders: { status: "PENDING", attempts: 0, attemptLimit: 1000 },
        billing: { status: "PENDING", attempts: 0 },
      },
    });
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
    suite.consumer.script(respond(503, "x".repeat(2000)));
    let nowMs = Date.now();
    const handler = harnessHandler(suite.harness, suite.queueUrl, {
      config: {
        // No circuit breaker: this is about 40 attempts' items, and a breaker would hold them once it opens (its
        // open circuit, 400 minutes ahead on this test's clock, would also hold the next test's jobs).
        destinations: [
          destination("orders", suite.consumer.url, { circuitBreaker: false }),
          destination("billing", `${suite.consumer.url}/b`, { circuitBreaker: false }),
        ],
        retryScheduleSeconds: [1, 1],
      },
      clock: { nowMs: () => nowMs },
    });
    const orders = { job: { pk: item.pk, destination: "orders" } };
    const billing = { job: { pk: item.pk, destination: "billing" } };
    let bytesAfterTen = 0;
    for (let run = 0; run < 40; run++) {
      // Both destinations' jobs in one batch while billing has attempts left: their updates race.
      await handler(run < 3 ? jobEvent(orders, billing) : jobEvent(orders));
      if (run === 9) bytesAfterTen = await stateBytes(item.pk);
      nowMs += 10 * 60_000;
    }
    const stored = await storedEvent(suite.harness.ddb, suite.harness.eventsTable, item.pk);
    const listed = (id: string) => stored.attempts.filter((entry) => entry.destination === id).map((e) => e.attempt);
    expect(listed("orders")).toEqual(Array.from({ length: 40 }, (_, n) => n + 1));
    expect(stored.destinations.orders).toMatchObject({ status: "PENDING", attempts: 40 });
    // billing followed its 3-attempt schedule: two retries as items, the third (DEAD) in its state.
    expect(listed("billing")).toEqual([1, 2, 3]);
    expect(stored.destinations.billing).toMatchObject({ status: "DEAD", attempts: 3, settledByAttempt: 3 });
    // A 2 KB answer each time: the state holds the last excerpt only (1 KB), however many attempts follow (30 more
    // here; in one shared item each added a 1 KB log entry). A few bytes for the counters' digits.
    expect(Math.abs((await stateBytes(item.pk)) - bytesAfterTen)).toBeLessThan(8);
    expect(await stateBytes(item.pk)).toBeLessThan(4096);
  });

  test("keeps the attempt that took a destination DEAD as an item when a redrive reopens it", async () => {
    const item = queuedEvent(["orders"]);
    await putEvent(suite.harness.ddb, suite.harness.eventsTable, item);
    suite.consumer.script(inSequence(respond(500, "one"), respond(500, "two"), respond(200, "fixed")));
    let nowMs = Date.now();
    const handler = harnessHandler(suite.harness, suite.queueUrl, {
      config: { destinations: [destination("orders", suite.consumer.url)], retryScheduleSeconds: [1] },
      clock: { nowMs: () => nowMs },
    });
    const job = { pk: item.pk, destination: "orders" };
    for (let attempt = 1; attempt <= 2; attempt++) {
      await handler(jobEvent({ job, attempt, messageId: "m-first" }));
      nowMs += 60_000;
    }
    let stored = await storedEvent(suite.harness.ddb, suite.harness.eventsTable, item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DEAD", attempts: 2, settledByAttempt: 2 });
    expect(stored.status).toBe("DEAD");
    // The redriven copy: a new message id.
    await handler(jobEvent({ job, messageId: "m-redriven" }));
    stored = await storedEvent(suite.harness.ddb, suite.harness.eventsTable, item.pk);
    expect(stored.destinations.orders).toMatchObject({ status: "DELIVERED", attempts: 3, settledByAttempt: 3 });
    expect(stored.attempts.map(({ attempt, responseBodyExcerpt }) => [attempt, responseBodyExcerpt])).toEqual([
      [1, "one"],
      [2, "two"],
      [3, "fixed"],
    ]);
    expect((await attemptKeys(item.pk)).map(({ sk }) => sk)).toEqual(["attempt#orders#00001", "attempt#orders#00002"]);
  });
});
