import { randomUUID } from "node:crypto";
import { DescribeTableCommand, DescribeTimeToLiveCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { RemovalPolicy, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import {
  IDEMPOTENCY_CLAIM_ACTIONS,
  IDEMPOTENCY_RELEASE_ACTIONS,
  IdempotencyTable,
} from "../../infra/constructs/idempotencyTable.ts";
import { ensureIdempotencyTable } from "../../sdk/tableSetup.ts";
import { deleteTable, localClient } from "../support/dynamoDbTables.ts";
import { grants, grantsOf } from "./support/grants.ts";
import { testApp } from "./support/testApp.ts";

let stack: Stack;
let records: IdempotencyTable;
let consumer: Role;
let operator: Role;
let template: Template;

beforeAll(() => {
  stack = new Stack(testApp(), "Consumer");
  records = new IdempotencyTable(stack, "IdempotencyRecords");
  consumer = new Role(stack, "ConsumerRole", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
  records.grantClaim(consumer);
  operator = new Role(stack, "OperatorRole", { assumedBy: new ServicePrincipal("lambda.amazonaws.com") });
  records.grantRelease(operator);
  template = Template.fromStack(stack);
});

describe("IdempotencyTable", () => {
  test("is on demand, keyed by id, with TTL on expiresAt, point-in-time recovery and KMS encryption", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: Match.exact({ SSEEnabled: true }),
      GlobalSecondaryIndexes: Match.absent(),
    });
  });

  test("is retained with the stack by default, deleted when asked", () => {
    template.hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    const destroyable = new Stack(testApp(), "Disposable");
    new IdempotencyTable(destroyable, "Records", { removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(destroyable).hasResource("AWS::DynamoDB::Table", { DeletionPolicy: "Delete" });
  });

  test("grantClaim gives exactly PutItem, UpdateItem and DeleteItem on the table: no CreateTable, no DescribeTable", () => {
    expect(IDEMPOTENCY_CLAIM_ACTIONS).toEqual(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]);
    expect(grantsOf(template, stack, consumer)).toEqual(
      grants(stack, IDEMPOTENCY_CLAIM_ACTIONS, [records.table.tableArn]),
    );
  });
});

describe("IdempotencyTable.grantRelease", () => {
  test("gives exactly GetItem and UpdateItem on the table: no PutItem, no DeleteItem, no Scan", () => {
    expect(IDEMPOTENCY_RELEASE_ACTIONS).toEqual(["dynamodb:GetItem", "dynamodb:UpdateItem"]);
    expect(grantsOf(template, stack, operator)).toEqual(
      grants(stack, IDEMPOTENCY_RELEASE_ACTIONS, [records.table.tableArn]),
    );
    expect(stack.resolve(records.releaseStatement().toStatementJson())).toEqual({
      Effect: "Allow",
      Action: [...IDEMPOTENCY_RELEASE_ACTIONS],
      Resource: stack.resolve(records.table.tableArn),
    });
  });
});

describe("IdempotencyTable against the table the SDK creates for itself (DynamoDB Local)", () => {
  const ddb = localClient();
  const tableName = `idempotency-layout-${randomUUID()}`;
  afterAll(async () => {
    await deleteTable(ddb, tableName);
    ddb.destroy();
  });

  test("has the same key schema, attribute definitions and TTL attribute", async () => {
    await ensureIdempotencyTable(ddb, tableName);
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: Table?.KeySchema,
      AttributeDefinitions: Table?.AttributeDefinitions,
      TimeToLiveSpecification: { AttributeName: ttl.TimeToLiveDescription?.AttributeName, Enabled: true },
    });
  });
});
