import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { InvalidConfigurationError } from "../../../../lambdas/shared/errors.ts";
import { checkedJobQueueUrl, jobQueueUrl } from "../../../../lambdas/shared/jobQueueUrl.ts";

const VARIABLE = "ONCEGATE_DELIVERY_QUEUE_URL";
const SHARED = "https://sqs.us-east-1.amazonaws.com/123456789012/oncegate-delivery";
const TEMPLATE = "https://sqs.us-east-1.amazonaws.com/123456789012/og1a2b3c4d-{destination}";
// Destination ids as the configuration admits them: ^[a-z0-9][a-z0-9-]{0,62}$.
const destinationId = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/);

describe("jobQueueUrl", () => {
  test("a shared queue's URL is every destination's", () => {
    fc.assert(fc.property(destinationId, (id) => jobQueueUrl(SHARED, id) === SHARED));
  });

  test("a template names each destination's own queue: its id in the queue's name, distinct ids distinct queues", () => {
    fc.assert(
      fc.property(destinationId, destinationId, (a, b) => {
        const url = jobQueueUrl(TEMPLATE, a);
        expect(url).toBe(`https://sqs.us-east-1.amazonaws.com/123456789012/og1a2b3c4d-${a}`);
        expect(new URL(url).pathname.split("/").at(-1)).toBe(`og1a2b3c4d-${a}`);
        expect(jobQueueUrl(TEMPLATE, b) === url).toBe(a === b);
      }),
    );
  });
});

describe("checkedJobQueueUrl", () => {
  test("accepts a shared URL, a template, and an emulator's http URL", () => {
    expect(checkedJobQueueUrl(VARIABLE, SHARED)).toBe(SHARED);
    expect(checkedJobQueueUrl(VARIABLE, TEMPLATE, ["orders", "a".repeat(63)])).toBe(TEMPLATE);
    expect(checkedJobQueueUrl(VARIABLE, "http://127.0.0.1:4566/000000000000/jobs-{destination}")).toMatch(/^http:/);
  });

  test.each([
    ["not a URL", "oncegate-delivery", /not an absolute URL/],
    ["another scheme", "ftp://sqs.example.com/1/jobs", /http\(s\)/],
    ["two placeholders", "https://sqs.example.com/1/{destination}-{destination}", /2 times/],
    ["a placeholder in the host", "https://{destination}.example.com/1/jobs", /queue's name/],
    ["a placeholder before the name", "https://sqs.example.com/{destination}/jobs", /queue's name/],
    ["a query string after it", "https://sqs.example.com/1/jobs-{destination}?x=1", /queue's name/],
  ])("refuses %s, naming the variable", (_, url, message) => {
    expect(() => checkedJobQueueUrl(VARIABLE, url)).toThrow(InvalidConfigurationError);
    expect(() => checkedJobQueueUrl(VARIABLE, url)).toThrow(message);
    expect(() => checkedJobQueueUrl(VARIABLE, url)).toThrow(VARIABLE);
  });

  test("refuses a template under which a configured destination's queue name would pass SQS's 80 characters", () => {
    const longPrefix = `https://sqs.us-east-1.amazonaws.com/123456789012/${"p".repeat(17)}-{destination}`;
    expect(checkedJobQueueUrl(VARIABLE, longPrefix, ["a".repeat(62)])).toBe(longPrefix); // 18 + 62 = 80
    expect(() => checkedJobQueueUrl(VARIABLE, longPrefix, ["short", "a".repeat(63)])).toThrow(
      `the queue name of destination "${"a".repeat(63)}" would be over SQS's 80 characters`,
    );
  });
});
