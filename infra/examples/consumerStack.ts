// README example: a consumer stack of your own, its Lambda wrapped with the SDK (`sdk/examples/chargeWithWrapper.ts`)
// and given exactly the access the SDK needs through IdempotencyTable.
import { join } from "node:path";
import { Stack, type StackProps } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table } from "aws-cdk-lib/aws-dynamodb";
import { Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { Construct } from "constructs";
import { REPOSITORY_ROOT } from "../constructs/bundling.ts";
import { IdempotencyTable } from "../constructs/idempotencyTable.ts";

export class ChargesConsumerStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const records = new IdempotencyTable(this, "IdempotencyRecords");
    const charges = new Table(this, "Charges", {
      partitionKey: { name: "id", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
    });
    const consumer = new NodejsFunction(this, "ChargeConsumer", {
      entry: join(REPOSITORY_ROOT, "sdk/examples/chargeWithWrapper.ts"),
      runtime: Runtime.NODEJS_24_X,
      environment: { IDEMPOTENCY_TABLE: records.tableName, CHARGES_TABLE: charges.tableName },
    });
    // The SDK's own writes: claim, complete, fail, release. Nothing else, and never CreateTable.
    records.grantClaim(consumer);
    // The handler's `db.put` commits inside the SDK's TransactWriteItems: IAM checks it as a PutItem on this table.
    charges.grant(consumer, "dynamodb:PutItem");
  }
}
