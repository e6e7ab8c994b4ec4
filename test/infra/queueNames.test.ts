import { describe, expect, test } from "@jest/globals";
import { Stack } from "aws-cdk-lib";
import { queueAddresses } from "../../infra/constructs/gateway/queueAddresses.ts";
import {
  checkDestinationIds,
  deadLetterQueueName,
  gatewayResourceNames,
  jobQueueName,
} from "../../infra/constructs/gateway/resourceNames.ts";
import { nagResource } from "../../infra/constructs/nagResource.ts";
import { InvalidConfigurationError } from "../../lambdas/shared/errors.ts";
import { jobQueueUrl } from "../../lambdas/shared/jobQueueUrl.ts";
import { testApp } from "./support/testApp.ts";

// The longest id a destination may have (`^[a-z0-9][a-z0-9-]{0,62}$`).
const LONGEST_ID = `a${"b".repeat(62)}`;

describe("Queue names", () => {
  test("start with og and 8 hex digits of the prefix's SHA-256, the same on every synth", () => {
    // Pinned: a different base would rename every queue, and CloudFormation would replace them (empty).
    expect(gatewayResourceNames("Oncegate")).toEqual({ eventsTable: "Oncegate-events", queueBase: "ogd23cb48f" });
    expect(gatewayResourceNames("acme-webhooks").queueBase).toBe("og196c9f52");
  });

  test("name a destination's job queue <base>-<id> and its dead-letter queue <base>-<id>-dlq", () => {
    expect(jobQueueName("ogd23cb48f", "orders")).toBe("ogd23cb48f-orders");
    expect(deadLetterQueueName("ogd23cb48f", "orders")).toBe("ogd23cb48f-orders-dlq");
    expect(jobQueueName("ogd23cb48f")).toBe("ogd23cb48f-{destination}");
    expect(deadLetterQueueName("ogd23cb48f")).toBe("ogd23cb48f-{destination}-dlq");
  });

  test("fit SQS's 80 characters with the longest destination id and the longest prefix: 78 at most", () => {
    const { queueBase } = gatewayResourceNames("p".repeat(67));
    expect(jobQueueName(queueBase, LONGEST_ID)).toHaveLength(74);
    expect(deadLetterQueueName(queueBase, LONGEST_ID)).toHaveLength(78);
    // The Lambdas' own start-up check passes the templates for that id.
    const addresses = queueAddresses(new Stack(testApp(), "Longest"), queueBase, [LONGEST_ID]);
    expect(addresses.jobQueueUrlTemplate).toContain(`${queueBase}-{destination}`);
  });

  test("fails the synth with the Lambdas' start-up check, naming the variable, when a queue name would not fit", () => {
    // Unreachable with the hashed base; a base as long as the prefix used to be would not fit.
    const stack = new Stack(testApp(), "TooLong");
    expect(() => queueAddresses(stack, "b".repeat(20), [LONGEST_ID])).toThrow(
      /^ONCEGATE_DELIVERY_QUEUE_URL: the queue name of destination "ab+" would be over SQS's 80 characters$/,
    );
  });

  test("expand, through the Lambdas' jobQueueUrl, to each destination's queue", () => {
    const addresses = queueAddresses(new Stack(testApp(), "Expand"), "ogd23cb48f", ["orders"]);
    expect(jobQueueUrl(addresses.jobQueueUrlTemplate, "orders").endsWith("/ogd23cb48f-orders")).toBe(true);
    expect(jobQueueUrl(addresses.deadLetterQueueUrlTemplate, "orders").endsWith("/ogd23cb48f-orders-dlq")).toBe(true);
    expect(jobQueueUrl(addresses.deadLetterQueueArnTemplate, "orders").endsWith(":ogd23cb48f-orders-dlq")).toBe(true);
  });

  test.each([
    ["an id ending in -dlq, which would be another destination's dead-letter queue", ["orders", "orders-dlq"], 1],
    ["two ids with one construct id", ["a-b", "a--b"], 1],
  ])("rejects %s, naming the field", (_label, ids, index) => {
    expect(() => checkDestinationIds(ids)).toThrow(InvalidConfigurationError);
    expect(() => checkDestinationIds(ids)).toThrow(new RegExp(`^destinations\\[${index}\\]\\.id: `));
  });

  test("accepts ids that merely contain dlq", () => {
    expect(() => checkDestinationIds(["dlq-watch", "orders-dlqs", LONGEST_ID])).not.toThrow();
  });

  test("rejects a prefix only known at deploy time: the names are derived from it at synth", () => {
    const stack = new Stack(testApp(), "Tokens");
    expect(() => gatewayResourceNames(stack.stackId)).toThrow(/^resourceNamePrefix: must be known at synth time/);
  });
});

describe("nagResource", () => {
  test("spells a resolved ARN as cdk-nag names it in a finding", () => {
    const stack = new Stack(testApp(), "Nag");
    const arn = queueAddresses(stack, "ogd23cb48f", ["orders"]).anyQueueArn;
    expect(nagResource(stack.resolve(arn))).toBe(
      "arn:<AWS::Partition>:sqs:<AWS::Region>:<AWS::AccountId>:ogd23cb48f-*",
    );
    expect(nagResource({ "Fn::GetAtt": ["Bucket", "Arn"] })).toBe("<Bucket.Arn>");
    expect(() => nagResource({ "Fn::Sub": "x" })).toThrow(/^nagResource: cannot flatten/);
  });
});
