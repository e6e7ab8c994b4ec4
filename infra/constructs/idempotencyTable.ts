import { RemovalPolicy, Stack } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { Grant, type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

/** The SDK's record layout (`sdk/tableSetup.ts`, `sdk/idempotencyRecord.ts`): partition key `id`, TTL `expiresAt`. */
export const IDEMPOTENCY_TABLE_LAYOUT = { partitionKey: "id", ttlAttribute: "expiresAt" } as const;

/**
 * What the SDK calls on its own table (`sdk/recordStore.ts`): the claim (PutItem), completion and failure
 * (UpdateItem, also inside TransactWriteItems, which IAM authorizes per item) and release (DeleteItem). Never
 * CreateTable or DescribeTable: those run only against a local endpoint.
 */
export const IDEMPOTENCY_CLAIM_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"] as const;

/**
 * What `oncegate keys show` and `keys release` call on a consumer's table: GetItem (the record and its audit item)
 * and UpdateItem (one TransactWriteItems of two updates, which IAM authorizes per item: the record becomes RELEASED,
 * the audit item gets an entry, created by the update if missing). No PutItem, no DeleteItem (a release keeps the
 * record, RELEASED, so the claim condition and the audit both see it), no Scan.
 */
export const IDEMPOTENCY_RELEASE_ACTIONS = ["dynamodb:GetItem", "dynamodb:UpdateItem"] as const;

export interface IdempotencyTableProps {
  /** What deleting the stack does to the table. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The table's physical name. A fixed name makes CloudFormation fail a change that would replace the table (and
   * with it every record) instead of creating an empty one; it does not depend on where the construct sits, so
   * moving it keeps the table, but renaming its id does not. @default `<stack name>-<id>`
   */
  readonly tableName?: string;
  /** Refuse `DeleteTable` until turned off. @default true, false when removalPolicy is DESTROY */
  readonly deletionProtection?: boolean;
}

/**
 * The table of the consumer SDK (`idempotency()` middleware, `idempotent()` wrapper): on-demand, TTL on
 * `expiresAt`, point-in-time recovery, encrypted with the AWS managed key, retained, named and protected from
 * deletion by default.
 *
 * @example
 * const records = new IdempotencyTable(this, "IdempotencyRecords");
 * records.grantClaim(consumer);
 * consumer.addEnvironment("IDEMPOTENCY_TABLE", records.tableName);
 */
export class IdempotencyTable extends Construct {
  readonly table: Table;
  readonly tableName: string;

  constructor(scope: Construct, id: string, props: IdempotencyTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new Table(this, "Table", {
      tableName: props.tableName ?? `${Stack.of(this).stackName}-${id}`,
      deletionProtection: props.deletionProtection ?? removalPolicy !== RemovalPolicy.DESTROY,
      partitionKey: { name: IDEMPOTENCY_TABLE_LAYOUT.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: IDEMPOTENCY_TABLE_LAYOUT.ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    this.tableName = this.table.tableName;
  }

  /** Lets an operator's identity show and release records with `oncegate keys` ({@link IDEMPOTENCY_RELEASE_ACTIONS}). */
  grantRelease(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [...IDEMPOTENCY_RELEASE_ACTIONS],
      resourceArns: [this.table.tableArn],
    });
  }

  /** {@link grantRelease} as a statement, for a managed policy. */
  releaseStatement(): PolicyStatement {
    return new PolicyStatement({ actions: [...IDEMPOTENCY_RELEASE_ACTIONS], resources: [this.table.tableArn] });
  }

  /**
   * Lets a consumer function claim, complete, fail and release its records: exactly the SDK's actions on this table.
   * The tables the handler writes through `db` need their own grants (the actions of those writes).
   */
  grantClaim(grantee: IGrantable): Grant {
    return Grant.addToPrincipal({
      grantee,
      actions: [...IDEMPOTENCY_CLAIM_ACTIONS],
      resourceArns: [this.table.tableArn],
    });
  }
}
