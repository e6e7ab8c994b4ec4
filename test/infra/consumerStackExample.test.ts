import { describe, expect, test } from "@jest/globals";
import { Template } from "aws-cdk-lib/assertions";
import type { Table } from "aws-cdk-lib/aws-dynamodb";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IdempotencyTable } from "../../infra/constructs/idempotencyTable.ts";
import { ChargesConsumerStack } from "../../infra/examples/consumerStack.ts";
import { grants, grantsOf } from "./support/grants.ts";
import { testApp } from "./support/testApp.ts";

describe("README example: a consumer stack with IdempotencyTable", () => {
  test("synthesizes; the consumer may claim its records and put charges, and never create or describe a table", () => {
    const stack = new ChargesConsumerStack(testApp(), "Charges");
    const template = Template.fromStack(stack);
    const consumer = stack.node.findChild("ChargeConsumer") as IFunction;
    const records = stack.node.findChild("IdempotencyRecords") as IdempotencyTable;
    const charges = stack.node.findChild("Charges") as Table;
    if (consumer.role === undefined) throw new Error("no role");
    const granted = grantsOf(template, stack, consumer.role);
    expect(granted).toEqual(
      expect.arrayContaining([
        ...grants(stack, ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"], [records.table.tableArn]),
        ...grants(stack, ["dynamodb:PutItem"], [charges.tableArn]),
      ]),
    );
    const actions = granted.map((entry) => entry.action);
    expect(actions).not.toContain("dynamodb:CreateTable");
    expect(actions).not.toContain("dynamodb:DescribeTable");
  });
});
