import { type DynamoDBClient, GetItemCommand, TransactWriteItemsCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { NotFoundError, RefusedError } from "../errors.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { AuditEntry, StoredRecord } from "./keyRecord.ts";

/**
 * DynamoDB I/O of `keys`: GetItem, and one TransactWriteItems of two UpdateItems (what `grantRelease` allows).
 *
 * How a released record is stored: the record itself gets status `RELEASED` (its owner token and lease removed),
 * which the SDK's claim condition takes as no record at all, so the next delivery claims it and runs the handler;
 * the claim is a PutItem that replaces the whole item. The audit trail therefore lives in a sibling item,
 * `#audit#<record id>`, that no claim ever touches: a record id is `encodeURIComponent(scope)#key` with a non-empty
 * scope, so it never starts with `#`, and no record can collide with an audit item.
 */

/** How long an audit item is kept (DynamoDB TTL): well past the record it explains (the SDK keeps 7 days). */
export const AUDIT_RETENTION_SECONDS = 90 * 24 * 3600;

/** The id of a record's audit item. */
export function auditItemId(recordId: string): string {
  return `#audit#${recordId}`;
}

/** A record (`undefined` when there is none) and its audit entries, both read strongly consistent. */
export async function readKeyRecord(
  ddb: DynamoDBClient,
  table: string,
  recordId: string,
): Promise<{ record: StoredRecord | undefined; audit: AuditEntry[] }> {
  const get = (id: string) =>
    ddb.send(new GetItemCommand({ TableName: table, Key: marshall({ id }), ConsistentRead: true }));
  const [record, audit] = await withTable(table, `call dynamodb:GetItem on ${table}`, () =>
    Promise.all([get(recordId), get(auditItemId(recordId))]),
  );
  const entries = audit.Item === undefined ? [] : ((unmarshall(audit.Item).entries as AuditEntry[] | undefined) ?? []);
  return { record: record.Item === undefined ? undefined : (unmarshall(record.Item) as StoredRecord), audit: entries };
}

/** What the operator saw: the release applies only if the record still holds exactly this. */
export interface SeenRecord {
  recordId: string;
  status: string;
  ownerToken: string | undefined;
}

/**
 * Marks the record RELEASED and appends `entry` to its audit item, in one transaction, conditional on the record's
 * status and owner token being those the operator saw: a claim, a completion or another release in between (each
 * changes one of them) fails it, and nothing is written.
 * @throws RefusedError `key_changed` when the record changed meanwhile
 */
export async function writeRelease(
  ddb: DynamoDBClient,
  table: string,
  seen: SeenRecord,
  entry: AuditEntry,
  nowMs: number,
): Promise<void> {
  const tokenCondition =
    seen.ownerToken === undefined ? "attribute_not_exists(#ownerToken)" : "#ownerToken = :seenToken";
  const command = new TransactWriteItemsCommand({
    TransactItems: [
      {
        Update: {
          TableName: table,
          Key: marshall({ id: seen.recordId }),
          UpdateExpression: "SET #status = :released, #releasedAtMs = :now REMOVE #ownerToken, #lease",
          ConditionExpression: `#status = :seenStatus AND ${tokenCondition}`,
          ExpressionAttributeNames: {
            "#status": "status",
            "#releasedAtMs": "releasedAtMs",
            "#ownerToken": "ownerToken",
            "#lease": "leaseExpiresAtMs",
          },
          ExpressionAttributeValues: marshall({
            ":released": "RELEASED",
            ":now": nowMs,
            ":seenStatus": seen.status,
            ...(seen.ownerToken !== undefined && { ":seenToken": seen.ownerToken }),
          }),
        },
      },
      {
        Update: {
          TableName: table,
          Key: marshall({ id: auditItemId(seen.recordId) }),
          UpdateExpression:
            "SET #entries = list_append(if_not_exists(#entries, :empty), :entry), #recordId = :recordId, #expiresAt = :expiresAt",
          ExpressionAttributeNames: { "#entries": "entries", "#recordId": "recordId", "#expiresAt": "expiresAt" },
          ExpressionAttributeValues: marshall({
            ":empty": [],
            ":entry": [entry],
            ":recordId": seen.recordId,
            ":expiresAt": Math.floor(nowMs / 1000) + AUDIT_RETENTION_SECONDS,
          }),
        },
      },
    ],
  });
  try {
    await withTable(table, `call dynamodb:UpdateItem on ${table}`, () => ddb.send(command));
  } catch (error) {
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    if (
      (error as { name?: string }).name === "TransactionCanceledException" &&
      reasons?.[0]?.Code === "ConditionalCheckFailed"
    ) {
      throw new RefusedError(
        "key_changed",
        "The key changed while you looked (claimed, completed or released meanwhile), nothing was written: run keys show again.",
        { cause: error },
      );
    }
    throw error;
  }
}

async function withTable<T>(table: string, where: string, call: () => Promise<T>): Promise<T> {
  return asOperator(where, call).catch((error: unknown) => {
    if ((error as { name?: string }).name === "ResourceNotFoundException") {
      throw new NotFoundError(
        "no_such_table",
        `There is no table ${table}: check --table (the consumer's IDEMPOTENCY_TABLE).`,
        {
          cause: error,
        },
      );
    }
    throw error;
  });
}
