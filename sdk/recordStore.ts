import {
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { toEpochSec } from "./clock.ts";
import type { IdempotencyRecord } from "./idempotencyRecord.ts";

/**
 * DynamoDB I/O for idempotency records. Every write after the claim is conditional on the owner
 * token written by the claim: a late or duplicate invocation can never complete, fail or delete a
 * claim it does not own.
 */
export interface RecordTable {
  client: DynamoDBClient;
  tableName: string;
}

type Attributes = Record<string, unknown>;
type OwnedClaim = { id: string; ownerToken: string };

const NAMES = {
  "#id": "id",
  "#status": "status",
  "#ownerToken": "ownerToken",
  "#expiresAt": "expiresAt",
  "#lease": "leaseExpiresAtMs",
  "#fingerprint": "fingerprint",
};

function conditionFailedItem(error: unknown): IdempotencyRecord | undefined {
  const failure = error as { name?: string; Item?: Record<string, never> };
  if (failure?.name !== "ConditionalCheckFailedException") return undefined;
  return failure.Item ? (unmarshall(failure.Item) as IdempotencyRecord) : ({} as IdempotencyRecord);
}

export interface ClaimInput {
  id: string;
  ownerToken: string;
  fingerprint: string;
  nowMs: number;
  retentionSeconds: number;
  leaseSeconds: number | undefined;
}

/**
 * One conditional PutItem. It succeeds when no live record holds the id: none at all, one an operator
 * released (`RELEASED`, as if there were none), one past its TTL that DynamoDB has not deleted yet, or
 * (lease configured) an IN_PROGRESS claim of the same payload whose lease has run out. On conflict the
 * existing record comes back from the same call.
 */
export async function claimRecord(
  table: RecordTable,
  input: ClaimInput,
): Promise<{ claimed: true; record: IdempotencyRecord } | { claimed: false; existing: IdempotencyRecord }> {
  const record: IdempotencyRecord = {
    id: input.id,
    status: "IN_PROGRESS",
    ownerToken: input.ownerToken,
    fingerprint: input.fingerprint,
    startedAtMs: input.nowMs,
    expiresAt: toEpochSec(input.nowMs) + input.retentionSeconds,
    ...(input.leaseSeconds === undefined ? {} : { leaseExpiresAtMs: input.nowMs + input.leaseSeconds * 1000 }),
  };
  // An expired record that DynamoDB has not deleted yet may be claimed again, but never an IN_PROGRESS one: its
  // handler may still be running (a retention shorter than the run is refused at the first invocation, and this
  // keeps the rule even where no Lambda context could check it).
  const values: Attributes = {
    ":nowSec": toEpochSec(input.nowMs),
    ":inProgress": "IN_PROGRESS",
    ":released": "RELEASED",
  };
  // RELEASED: an operator let the next delivery run the handler again. Two duplicates both find it; the first put
  // makes it IN_PROGRESS, so the second's condition fails and it gets that claim back: run exactly once more.
  let condition =
    "attribute_not_exists(#id) OR #status = :released OR (#expiresAt < :nowSec AND #status <> :inProgress)";
  if (input.leaseSeconds !== undefined) {
    // Takeover of an abandoned claim: still IN_PROGRESS, lease run out, and the same payload.
    condition += " OR (#status = :inProgress AND #lease < :nowMs AND #fingerprint = :fingerprint)";
    Object.assign(values, { ":nowMs": input.nowMs, ":fingerprint": input.fingerprint });
  }
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall(record),
        ConditionExpression: condition,
        ExpressionAttributeNames: pickNames(condition),
        ExpressionAttributeValues: marshall(values),
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    return { claimed: true, record };
  } catch (error) {
    const existing = conditionFailedItem(error);
    if (!existing) throw error;
    // The AWS SDK retried a put whose first answer was lost after DynamoDB applied it: the record it now finds
    // is this very claim (our owner token, still IN_PROGRESS), not someone else's.
    if (existing.status === "IN_PROGRESS" && existing.ownerToken === input.ownerToken) return { claimed: true, record };
    return { claimed: false, existing };
  }
}

export type CompletionResult =
  | { kind: "completed" }
  | { kind: "write_conflict"; writeIndex: number; cause: unknown }
  | { kind: "invalid_writes"; cause: unknown }
  | { kind: "ownership_lost"; existing: IdempotencyRecord | undefined };

/**
 * Marks the claim COMPLETED and stores the response. With buffered handler writes, they and the
 * completion are one TransactWriteItems: all applied or none.
 */
export async function completeRecord(
  table: RecordTable,
  claim: OwnedClaim,
  set: Attributes,
  writes: TransactWriteItem[],
): Promise<CompletionResult> {
  const update = ownedUpdate(table, claim, "COMPLETED", set);
  try {
    if (writes.length === 0) {
      await table.client.send(new UpdateItemCommand({ ...update, ReturnValuesOnConditionCheckFailure: "ALL_OLD" }));
    } else {
      await table.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [...writes, { Update: { ...update, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } }],
          // Makes the SDK's own retries of this call idempotent (DynamoDB remembers it for 10 minutes).
          ClientRequestToken: claim.ownerToken,
        }),
      );
    }
    return { kind: "completed" };
  } catch (error) {
    const existing = conditionFailedItem(error);
    if (existing) return ownershipOutcome(existing, claim.ownerToken);
    if ((error as { name?: string }).name === "TransactionCanceledException") {
      const reasons = (error as { CancellationReasons?: { Code?: string; Item?: Record<string, never> }[] })
        .CancellationReasons;
      const own = reasons?.[writes.length];
      if (own?.Code === "ConditionalCheckFailed") {
        return ownershipOutcome(own.Item ? (unmarshall(own.Item) as IdempotencyRecord) : undefined, claim.ownerToken);
      }
      const writeIndex = reasons?.findIndex((r) => r.Code === "ConditionalCheckFailed") ?? -1;
      if (writeIndex >= 0) return { kind: "write_conflict", writeIndex, cause: error };
    }
    // The completion update alone is always valid, so a refused transaction is about the handler's writes.
    if (writes.length > 0 && (error as { name?: string }).name === "ValidationException") {
      return { kind: "invalid_writes", cause: error };
    }
    throw error;
  }
}

// A retry of our own successful completion finds the record already COMPLETED under our token.
function ownershipOutcome(existing: IdempotencyRecord | undefined, ownerToken: string): CompletionResult {
  if (existing?.status === "COMPLETED" && existing.ownerToken === ownerToken) return { kind: "completed" };
  return { kind: "ownership_lost", existing };
}

/** Marks the claim FAILED with the error's name and message. Resolves false when the claim is no longer ours. */
export function failRecord(table: RecordTable, claim: OwnedClaim, set: Attributes): Promise<boolean> {
  return sendOwned(table, new UpdateItemCommand(ownedUpdate(table, claim, "FAILED", set)));
}

/** Deletes the claim so the next delivery runs the handler. Resolves false when the claim is no longer ours. */
export function releaseRecord(table: RecordTable, claim: OwnedClaim): Promise<boolean> {
  return sendOwned(
    table,
    new DeleteItemCommand({
      TableName: table.tableName,
      Key: marshall({ id: claim.id }),
      ...marshalled(ownedCondition(claim)),
    }),
  );
}

async function sendOwned(table: RecordTable, command: UpdateItemCommand | DeleteItemCommand): Promise<boolean> {
  try {
    await table.client.send(command);
    return true;
  } catch (error) {
    if (conditionFailedItem(error)) return false;
    throw error;
  }
}

function marshalled<T extends { ExpressionAttributeValues: Attributes }>(input: T) {
  return { ...input, ExpressionAttributeValues: marshall(input.ExpressionAttributeValues) };
}

/** The condition of every write after the claim: the record is still ours and still IN_PROGRESS. */
function ownedCondition(claim: OwnedClaim) {
  return {
    ConditionExpression: "#ownerToken = :ownerToken AND #status = :inProgress",
    ExpressionAttributeNames: { "#ownerToken": "ownerToken", "#status": "status" } as Record<string, string>,
    ExpressionAttributeValues: { ":ownerToken": claim.ownerToken, ":inProgress": "IN_PROGRESS" } as Attributes,
  };
}

/** An UpdateItem that moves our IN_PROGRESS claim to `status`, setting `set` and dropping the lease. */
function ownedUpdate(table: RecordTable, claim: OwnedClaim, status: string, set: Attributes) {
  const { ExpressionAttributeNames: names, ExpressionAttributeValues: values, ...condition } = ownedCondition(claim);
  names["#lease"] = "leaseExpiresAtMs";
  const assignments: string[] = [];
  for (const [name, value] of Object.entries({ status, ...set })) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    assignments.push(`#${name} = :${name}`);
  }
  return {
    TableName: table.tableName,
    Key: marshall({ id: claim.id }),
    UpdateExpression: `SET ${assignments.join(", ")} REMOVE #lease`,
    ...marshalled({ ...condition, ExpressionAttributeNames: names, ExpressionAttributeValues: values }),
  };
}

function pickNames(expression: string): Record<string, string> {
  return Object.fromEntries(Object.entries(NAMES).filter(([placeholder]) => expression.includes(placeholder)));
}
