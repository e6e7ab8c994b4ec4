import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { deadLetterQueuesOf, isTemplate } from "../../../../lambdas/shared/deadLetterQueues.ts";

const SHARED_URL = "http://127.0.0.1:4566/000000000000/oncegate-delivery-dlq";
const SHARED_ARN = "arn:aws:sqs:us-east-1:000000000000:oncegate-delivery-dlq";
const URL_TEMPLATE = "https://sqs.eu-west-1.amazonaws.com/123456789012/og1a2b3c4d-{destination}-dlq";
const ARN_TEMPLATE = "arn:aws:sqs:eu-west-1:123456789012:og1a2b3c4d-{destination}-dlq";
// Destination ids as the configuration admits them: ^[a-z0-9][a-z0-9-]{0,62}$; repeated now and then.
const destinationIds = fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/), { maxLength: 12 });

describe("deadLetterQueuesOf", () => {
  test("a template names each distinct destination's own queue once, and every destination is in exactly one", () => {
    fc.assert(
      fc.property(destinationIds, (ids) => {
        const queues = deadLetterQueuesOf(URL_TEMPLATE, ARN_TEMPLATE, ids);
        const urls = queues.map((queue) => queue.url);
        expect(new Set(urls).size).toBe(urls.length);
        expect(queues.flatMap((queue) => queue.destinations).sort()).toEqual([...new Set(ids)].sort());
        for (const queue of queues) {
          expect(queue.destinations).toHaveLength(1);
          const id = queue.destinations[0];
          expect(queue.url).toBe(`https://sqs.eu-west-1.amazonaws.com/123456789012/og1a2b3c4d-${id}-dlq`);
          expect(queue.arn).toBe(`arn:aws:sqs:eu-west-1:123456789012:og1a2b3c4d-${id}-dlq`);
        }
      }),
    );
  });

  test("a shared queue is named once with every destination, in configuration order, and even with none", () => {
    fc.assert(
      fc.property(destinationIds, (ids) => {
        expect(deadLetterQueuesOf(SHARED_URL, SHARED_ARN, ids)).toEqual([
          { url: SHARED_URL, arn: SHARED_ARN, destinations: [...new Set(ids)] },
        ]);
      }),
    );
  });

  test("names no ARN when none is given, and no queue for a template without destinations", () => {
    expect(deadLetterQueuesOf(URL_TEMPLATE, undefined, ["orders", "audit", "orders"])).toEqual([
      { url: URL_TEMPLATE.replace("{destination}", "orders"), destinations: ["orders"] },
      { url: URL_TEMPLATE.replace("{destination}", "audit"), destinations: ["audit"] },
    ]);
    expect(deadLetterQueuesOf(URL_TEMPLATE, ARN_TEMPLATE, [])).toEqual([]);
  });

  test("isTemplate tells a template from a shared queue's URL", () => {
    expect(isTemplate(URL_TEMPLATE)).toBe(true);
    expect(isTemplate(SHARED_URL)).toBe(false);
  });
});
