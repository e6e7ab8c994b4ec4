import { randomUUID } from "node:crypto";
import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { appendBounded, appendNeedsTrim } from "../shared/attemptLog.ts";
import type { AttemptEntry, DestinationState, EventItem, EventStatus } from "../shared/eventRecord.ts";
import { deriveOverallStatus, destinationStatusesOf, overallStatusChange } from "./overallStatus.ts";

/** Where the events live. */
export interface EventsTable {
  client: DynamoDBClient;
  tableName: string;
}

/** An item as the delivery Lambda reads it. */
export type StoredEvent = EventItem;

/** The new state of one destination given its current one (`undefined` when the item has none for it yet). */
export type DestinationTransition = (current: DestinationState | undefined) => DestinationState;

/**
 * How many times a destination update is retried after another writer changed the item in between. A log
 * rewrite is conditional on the whole item's version, so the jobs of an event's other destinations can race it.
 */
const MAX_TRANSITION_TRIES = 6;

/** Reads an event, strongly consistent; `undefined` when there is none (never accepted, or expired by TTL). */
export async function readEvent(table: EventsTable, pk: string): Promise<StoredEvent | undefined> {
  const out = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: pk } }, ConsistentRead: true }),
  );
  return out.Item === undefined ? undefined : (unmarshall(out.Item) as StoredEvent);
}

/**
 * Writes one destination's new state, appends the attempt (if any) and bumps `version`, in one UpdateItem;
 * returns the whole item as it is afterwards, or `undefined` if it has gone (expired) in the meantime.
 *
 * The write is conditional on the destination's status being the one `item` shows. If another writer (a
 * duplicate job) changed it in between, the item is read again and the transition recomputed from what is stored
 * now, so a late result can never overwrite a DELIVERED written meanwhile. The attempt is appended either way.
 *
 * Each write carries a token (`writeToken` on the destination) and is conditional on the stored token being another:
 * when DynamoDB applied the update but its answer was lost, the SDK's retry of the same request fails that
 * condition instead of applying it twice (a second log entry, an attempt counted twice), and the re-read finds our
 * own token: the write is done.
 */
export async function recordDestinationTransition(
  table: EventsTable,
  item: StoredEvent,
  destinationId: string,
  transition: DestinationTransition,
  attempt?: AttemptEntry,
): Promise<StoredEvent | undefined> {
  let seen: StoredEvent | undefined = item;
  for (let tries = 1; seen !== undefined; tries++) {
    const token = randomUUID();
    try {
      return await updateDestination(table, seen, destinationId, transition, attempt, token);
    } catch (error) {
      if ((error as { name?: string }).name !== "ConditionalCheckFailedException" || tries >= MAX_TRANSITION_TRIES) {
        throw error;
      }
    }
    seen = await readEvent(table, item.pk);
    if (seen?.destinations?.[destinationId]?.writeToken === token) return seen;
  }
  return undefined;
}

async function updateDestination(
  table: EventsTable,
  item: StoredEvent,
  destinationId: string,
  transition: DestinationTransition,
  attempt: AttemptEntry | undefined,
  token: string,
): Promise<StoredEvent> {
  const current = item.destinations?.[destinationId];
  const sets = ["destinations.#d = :state", "#version = if_not_exists(#version, :zero) + :one"];
  let state = { ...transition(current), writeToken: token };
  const values: Record<string, unknown> = { ":zero": 0, ":one": 1 };
  const names: Record<string, string> = { "#pk": "pk", "#d": destinationId, "#version": "version" };
  // attribute_exists(pk): an item that expired meanwhile must not be recreated as a stub by the update.
  let condition = "attribute_exists(#pk) AND attribute_not_exists(destinations.#d)";
  if (current !== undefined) {
    // The token clause: the SDK's retry of this very request, after its answer was lost, must not apply it again.
    condition =
      "attribute_exists(#pk) AND destinations.#d.#status = :seenStatus AND " +
      "(attribute_not_exists(destinations.#d.#writeToken) OR destinations.#d.#writeToken <> :token)";
    names["#status"] = "status";
    names["#writeToken"] = "writeToken";
    values[":seenStatus"] = current.status;
    values[":token"] = token;
  }
  if (attempt !== undefined) {
    names["#attempts"] = "attempts";
    const log = item.attempts ?? [];
    if (appendNeedsTrim(log, destinationId)) {
      // The bounded log is computed here, so the write must be on exactly the log we saw: on its version.
      const bounded = appendBounded(log, attempt);
      state = { ...state, attemptsOmitted: (current?.attemptsOmitted ?? 0) + bounded.omitted };
      sets.push("#attempts = :log");
      values[":log"] = bounded.log;
      condition += " AND #version = :seenVersion";
      values[":seenVersion"] = item.version ?? 0;
    } else {
      sets.push("#attempts = list_append(if_not_exists(#attempts, :empty), :attempt)");
      Object.assign(values, { ":empty": [], ":attempt": [attempt] });
    }
  }
  values[":state"] = state;
  const out = await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: { pk: { S: item.pk } },
      UpdateExpression: `SET ${sets.join(", ")}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
      ReturnValues: "ALL_NEW",
    }),
  );
  return unmarshall(out.Attributes ?? {}) as StoredEvent;
}

/**
 * Writes the derived overall status if `version` is still `seenVersion`; returns false when it is not (a newer
 * destination update then writes its own derived status). A settled status also removes `sweepShard`, which
 * takes the event out of the sweeper's index.
 */
export async function writeOverallStatus(
  table: EventsTable,
  pk: string,
  status: Exclude<EventStatus, "RECEIVED">,
  seenVersion: number,
): Promise<boolean> {
  const settled = status !== "QUEUED";
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: pk } },
        UpdateExpression: settled ? "SET #status = :status REMOVE #sweepShard" : "SET #status = :status",
        ConditionExpression: "#version = :seenVersion",
        ExpressionAttributeNames: {
          "#status": "status",
          "#version": "version",
          ...(settled && { "#sweepShard": "sweepShard" }),
        },
        ExpressionAttributeValues: { ":status": { S: status }, ":seenVersion": { N: String(seenVersion) } },
      }),
    );
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === "ConditionalCheckFailedException") return false;
    throw error;
  }
}

/**
 * Writes the overall status `item`'s destinations imply ({@link deriveOverallStatus}) if it differs from the one it
 * shows, with {@link writeOverallStatus} on `item`'s version: nothing is written when a newer update got there first
 * (it writes its own).
 * @throws the DynamoDB error when the write failed for another reason
 */
export async function writeImpliedOverallStatus(table: EventsTable, item: StoredEvent): Promise<void> {
  const change = overallStatusChange(item.status, deriveOverallStatus(destinationStatusesOf(item)));
  if (change !== undefined) await writeOverallStatus(table, item.pk, change, item.version ?? 0);
}
