import { beforeAll, describe, expect, test } from "@jest/globals";
import { RemovalPolicy, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { IdempotencyTable } from "../../infra/constructs/idempotencyTable.ts";
import { WebhookGateway } from "../../infra/constructs/webhookGateway.ts";
import { oncegateStack, testApp } from "./support/testApp.ts";

/**
 * The stateful resources of the app's stack, pinned. CloudFormation replaces a resource whose logical id changes (a
 * construct renamed or moved) or whose key schema changes: for a table that means a new, empty table, the old one
 * only orphaned by `Retain`, the dedup history gone and in-flight jobs dropped as `event_missing`. A refactor that
 * would do that fails here; if the replacement is really wanted, it needs a migration plan, not a test update.
 */
const PINNED = {
  // Storage v2 (an item collection per event) changed this key schema on purpose, before any deploy: a stack of the
  // earlier layout fails its update instead (docs/deploy.md, "A stack deployed before storage v2").
  GatewayEventsTableA88BAC56: {
    Type: "AWS::DynamoDB::Table",
    KeySchema: [
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ],
    TableName: "Oncegate-events",
  },
  DemoConsumerIdempotencyRecordsTableCDE35BF3: {
    Type: "AWS::DynamoDB::Table",
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    TableName: "Oncegate-IdempotencyRecords",
  },
  // Issue 19's isolation replaced the shared Oncegate-delivery and Oncegate-dead-letters, before any deploy: one
  // job queue and one dead-letter queue per destination, named og<8 hex of sha256("Oncegate")>-<id>[-dlq].
  GatewayDeliveryQueueDemo8D3E96C9: { Type: "AWS::SQS::Queue", QueueName: "ogd23cb48f-demo" },
  GatewayDeadLetterQueueDemo4C73B08F: { Type: "AWS::SQS::Queue", QueueName: "ogd23cb48f-demo-dlq" },
} as const;

let resources: Record<string, { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string }>;
beforeAll(() => {
  resources = Template.fromStack(oncegateStack()).toJSON().Resources;
});

const statefulIds = () =>
  Object.entries(resources)
    .filter(([, resource]) => ["AWS::DynamoDB::Table", "AWS::SQS::Queue"].includes(resource.Type))
    .map(([id]) => id)
    .sort();

describe("Stateful resources of the app's stack", () => {
  test("keep their logical ids: exactly the pinned tables and queues, no more, no fewer", () => {
    expect(statefulIds()).toEqual(Object.keys(PINNED).sort());
  });

  test.each(Object.entries(PINNED))("%s keeps its key schema and its physical name", (id, pinned) => {
    const { Type, ...properties } = pinned;
    expect(resources[id]?.Type).toBe(Type);
    expect(resources[id]?.Properties).toMatchObject(properties);
  });

  test("protects both tables from deletion, so a replacement or a stray delete-table fails instead", () => {
    for (const id of ["GatewayEventsTableA88BAC56", "DemoConsumerIdempotencyRecordsTableCDE35BF3"]) {
      expect(resources[id]?.Properties.DeletionProtectionEnabled).toBe(true);
    }
  });
});

describe("Table names and deletion protection, configured", () => {
  const config = {
    providers: { stripe: { scheme: "stripe" as const, secrets: [{ create: "stripe" }] } },
    destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
  };

  test("names the gateway's table and queues after resourceNamePrefix when given", () => {
    const stack = new Stack(testApp(), "Named");
    new WebhookGateway(stack, "Gateway", { config, resourceNamePrefix: "acme-webhooks" });
    const template = Template.fromStack(stack);
    template.hasResourceProperties("AWS::DynamoDB::Table", { TableName: "acme-webhooks-events" });
    // The queues' names start with og + 8 hex digits of the prefix's SHA-256 (a 63-character id must fit SQS's 80).
    template.hasResourceProperties("AWS::SQS::Queue", { QueueName: "og196c9f52-orders" });
    template.hasResourceProperties("AWS::SQS::Queue", { QueueName: "og196c9f52-orders-dlq" });
  });

  test.each([
    ["a name SQS would refuse", "acme webhooks"],
    ["a name longer than 67 characters", "a".repeat(68)],
  ])("rejects %s as resourceNamePrefix, naming the prop", (_label, prefix) => {
    const stack = new Stack(testApp(), "Badly");
    expect(() => new WebhookGateway(stack, "Gateway", { config, resourceNamePrefix: prefix })).toThrow(
      /^resourceNamePrefix: /,
    );
  });

  test("drops deletion protection when removalPolicy is DESTROY (a disposable stack), or when turned off", () => {
    const disposable = new Stack(testApp(), "Disposable");
    new WebhookGateway(disposable, "Gateway", { config, removalPolicy: RemovalPolicy.DESTROY });
    new IdempotencyTable(disposable, "Records", { removalPolicy: RemovalPolicy.DESTROY });
    for (const table of Object.values(Template.fromStack(disposable).findResources("AWS::DynamoDB::Table"))) {
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
    const unprotected = new Stack(testApp(), "Unprotected");
    new WebhookGateway(unprotected, "Gateway", { config, deletionProtection: false });
    Template.fromStack(unprotected).hasResourceProperties("AWS::DynamoDB::Table", {
      DeletionProtectionEnabled: false,
    });
  });

  test("names an IdempotencyTable after its stack and id, or as given", () => {
    const stack = new Stack(testApp(), "Consumer");
    new IdempotencyTable(stack, "Records");
    new IdempotencyTable(stack, "Other", { tableName: "consumer-idempotency" });
    const template = Template.fromStack(stack);
    template.hasResourceProperties("AWS::DynamoDB::Table", { TableName: "Consumer-Records" });
    template.hasResourceProperties("AWS::DynamoDB::Table", { TableName: "consumer-idempotency" });
  });
});
