import type { AttributeDefinition } from "@aws-sdk/client-dynamodb";
import type { RemovalPolicy } from "aws-cdk-lib";
import {
  type Attribute,
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import { EVENTS_TTL_ATTRIBUTE } from "../../../lambdas/shared/eventRecord.ts";
import { eventsTableDefinition } from "../../../lambdas/shared/eventsTable.ts";

// The layout the Lambdas and the local stack create (`eventsTableDefinition`) is the reference: the table here is
// read from it, so the deployed keys and indexes can never drift from what the code queries.
const reference = eventsTableDefinition("reference");

export interface EventsTableProps {
  readonly tableName: string;
  readonly removalPolicy: RemovalPolicy;
  readonly deletionProtection: boolean;
}

/**
 * The events table: on-demand, keyed and indexed like {@link eventsTableDefinition} (partition key `pk`, sort key
 * `sk`: an item collection per event; the sharded keys-only sweep, listing and problem indexes), TTL on `expiresAt`, point-in-time recovery, encrypted with the AWS managed KMS key (which
 * needs no key policy or grant, and shows every use in CloudTrail). A fixed name and deletion protection: a change
 * that would replace it, or a stray `delete-table`, fails instead of leaving the gateway an empty table.
 */
export function newEventsTable(scope: Construct, id: string, props: EventsTableProps): Table {
  const table = new Table(scope, id, {
    tableName: props.tableName,
    deletionProtection: props.deletionProtection,
    partitionKey: keyAttribute(reference.KeySchema, "HASH"),
    sortKey: keyAttribute(reference.KeySchema, "RANGE"),
    billingMode: BillingMode.PAY_PER_REQUEST,
    timeToLiveAttribute: EVENTS_TTL_ATTRIBUTE,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.AWS_MANAGED,
    removalPolicy: props.removalPolicy,
  });
  for (const index of reference.GlobalSecondaryIndexes ?? []) {
    if (index.IndexName === undefined || index.Projection?.ProjectionType !== "KEYS_ONLY") {
      throw new Error(`eventsTableDefinition: index ${index.IndexName} is not a named KEYS_ONLY index`);
    }
    table.addGlobalSecondaryIndex({
      indexName: index.IndexName,
      partitionKey: keyAttribute(index.KeySchema, "HASH"),
      sortKey: keyAttribute(index.KeySchema, "RANGE"),
      projectionType: ProjectionType.KEYS_ONLY,
    });
  }
  return table;
}

function keyAttribute(
  schema: { AttributeName?: string; KeyType?: string }[] | undefined,
  keyType: "HASH" | "RANGE",
): Attribute {
  const name = schema?.find((key) => key.KeyType === keyType)?.AttributeName;
  const definition = reference.AttributeDefinitions?.find((attribute) => attribute.AttributeName === name);
  if (name === undefined || definition === undefined) {
    throw new Error(`eventsTableDefinition: no ${keyType} key with an attribute definition`);
  }
  return { name, type: attributeType(definition) };
}

function attributeType(definition: AttributeDefinition): AttributeType {
  switch (definition.AttributeType) {
    case "S":
      return AttributeType.STRING;
    case "N":
      return AttributeType.NUMBER;
    case "B":
      return AttributeType.BINARY;
    default:
      throw new Error(`eventsTableDefinition: attribute ${definition.AttributeName} has no type`);
  }
}
