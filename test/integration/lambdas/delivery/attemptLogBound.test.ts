import { describe, expect, test } from "@jest/globals";
import { MAX_LOGGED_ATTEMPTS_PER_DESTINATION } from "../../../../lambdas/shared/attemptLog.ts";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import { deliverySuite, destination, harnessHandler, jobEvent } from "../../../support/deliveryHarness.ts";
import { respond } from "../../../support/scriptedConsumer.ts";

const suite = deliverySuite(5);

describe("the stored attempt log is bounded", () => {
  test("keeps an event's log within the bound when redrives and duplicates attempt 40 times, counting the rest", async () => {
    // Many redrives have raised the limit far past the schedule: the log must not grow with them.
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
        destinations: [destination("orders", suite.consumer.url), destination("billing", `${suite.consumer.url}/b`)],
        retryScheduleSeconds: [1, 1],
      },
      clock: { nowMs: () => nowMs },
    });
    const orders = { job: { pk: item.pk, destination: "orders" } };
    const billing = { job: { pk: item.pk, destination: "billing" } };
    for (let run = 0; run < 40; run++) {
      // Both destinations' jobs in one batch while billing has attempts left: the log rewrite races its update.
      await handler(run < 3 ? jobEvent(orders, billing) : jobEvent(orders));
      nowMs += 10 * 60_000;
    }
    const stored = await storedEvent(suite.harness.ddb, suite.harness.eventsTable, item.pk);
    const logged = stored.attempts.filter((entry) => entry.destination === "orders");
    expect(logged).toHaveLength(MAX_LOGGED_ATTEMPTS_PER_DESTINATION);
    expect(logged.map((entry) => entry.attempt)).toEqual([1, 2, 33, 34, 35, 36, 37, 38, 39, 40]);
    expect(stored.destinations.orders).toMatchObject({ status: "PENDING", attempts: 40, attemptsOmitted: 30 });
    // billing followed its 3-attempt schedule and is untouched by orders' trimming.
    expect(stored.attempts.filter((entry) => entry.destination === "billing").map((e) => e.attempt)).toEqual([1, 2, 3]);
    expect(stored.destinations.billing).toMatchObject({ status: "DEAD", attempts: 3 });
  });
});
