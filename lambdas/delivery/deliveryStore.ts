import { randomUUID } from "node:crypto";
import { GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { settlingAttemptOf } from "../shared/attemptHistory.ts";
import { attemptSortKey, bodyKey, stateKey } from "../shared/eventItemKeys.ts";
import type { AttemptEntry, BodyItem, DestinationState, EventState, EventStatus } from "../shared/eventRecord.ts";
import type { EventsTable } from "../shared/eventStore.ts";
import { type IndexShardCounts, problemShardOf } from "../shared/indexShards.ts";
import { restoreBody } from "../shared/storedBody.ts";
import { deriveOverallStatus, destinationStatusesOf, overallStatusChange } from "./overallStatus.ts";

export type { EventsTable } from "../shared/eventStore.ts";

/** An event's state as the delivery Lambda reads it. */
export type StoredEvent = EventState;

/** Where the delivery Lambda writes: the table, and how its indexes are sharded (for `problemShard`). */
export interface DeliveryTable extends EventsTable {
  shards: IndexShardCounts;
}

/** The new state of one destination given its current one (`undefined` when the item has none for it yet). */
export type DestinationTransition = (current: DestinationState | undefined) => DestinationState;

/**
 * How many times a destination update is retried after another writer changed the item in between. An update that
 * settles the event's overall status is conditional on the whole state's version, so the jobs of an event's other
 * destinations can race it.
 */
const MAX_TRANSITION_TRIES = 6;

/** Reads an event's state, strongly consistent; `undefined` when there is none (never accepted, or expired). */
export async function readEvent(table: EventsTable, pk: string): Promise<StoredEvent | undefined> {
  const out = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: stateKey(pk), ConsistentRead: true }),
  );
  return out.Item === undefined ? undefined : (unmarshall(out.Item) as StoredEvent);
}

/**
 * The signed bytes of an event, strongly consistent (the body is stored before any job is enqueued); `undefined`
 * when its body item is gone (expired by TTL, which removes an event's items in no particular order).
 */
export async function readBody(table: EventsTable, pk: string): Promise<Uint8Array | undefined> {
  const out = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: bodyKey(pk), ConsistentRead: true }),
  );
  return out.Item === undefined ? undefined : restoreBody(unmarshall(out.Item) as BodyItem);
}

/**
 * Writes one destination's new state and bumps `version`, in one UpdateItem; when the new state settles the
 * event's overall status (the last destination settling, or a redrive reopening it), that status is written in the
 * same update, conditional on `version`. Returns the state as it is afterwards, or `undefined` if the event has
 * gone (expired) in the meantime.
 *
 * The attempt (if any) is recorded where it costs least: an attempt that settles the destination is the new state's
 * own record (`settledByAttempt`, in the same write, so a first-try delivery is one write); any other (a retry, or a
 * late attempt of a destination another job settled) gets an attempt item, put before the state's update, so a
 * crash in between still lists it. A settling record the new state replaces (a redrive) is kept as an item first.
 *
 * The write is conditional on the destination's status being the one `item` shows. If another writer (a
 * duplicate job) changed it in between, the state is read again and the transition recomputed from what is stored
 * now, so a late result can never overwrite a DELIVERED written meanwhile.
 *
 * Each write carries a token (`writeToken` on the destination) and is conditional on the stored token being another:
 * when DynamoDB applied the update but its answer was lost, the SDK's retry of the same request fails that
 * condition instead of applying it twice (an attempt counted twice), and the re-read finds our own token: done.
 */
export async function recordDestinationTransition(
  table: DeliveryTable,
  item: StoredEvent,
  destinationId: string,
  transition: DestinationTransition,
  attempt?: AttemptEntry,
): Promise<StoredEvent | undefined> {
  let seen: StoredEvent | undefined = item;
  let attemptListed = false;
  for (let tries = 1; seen !== undefined; tries++) {
    const current: DestinationState | undefined = seen.destinations?.[destinationId];
    const next = transition(current);
    const settledByThis = attempt !== undefined && next.settledByAttempt === attempt.attempt && next !== current;
    if (attempt !== undefined && !settledByThis && !attemptListed) {
      await putAttempt(table, seen, attempt);
      attemptListed = true;
    }
    if (next === current) return seen;
    const displaced = current === undefined ? undefined : settlingAttemptOf(destinationId, current);
    if (displaced !== undefined && next.settledByAttempt !== current?.settledByAttempt) {
      await putAttempt(table, seen, displaced);
    }
    const token = randomUUID();
    try {
      return await updateDestination(table, seen, destinationId, current, { ...next, writeToken: token });
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
  table: DeliveryTable,
  item: StoredEvent,
  destinationId: string,
  current: DestinationState | undefined,
  state: DestinationState,
): Promise<StoredEvent> {
  const sets = ["destinations.#d = :state", "#version = if_not_exists(#version, :zero) + :one"];
  const removes: string[] = [];
  const values: Record<string, unknown> = { ":zero": 0, ":one": 1, ":state": state };
  const names: Record<string, string> = { "#pk": "pk", "#d": destinationId, "#version": "version" };
  // attribute_exists(pk): an event that expired meanwhile must not be recreated as a stub by the update.
  let condition = "attribute_exists(#pk) AND attribute_not_exists(destinations.#d)";
  if (current !== undefined) {
    // The token clause: the SDK's retry of this very request, after its answer was lost, must not apply it again.
    condition =
      "attribute_exists(#pk) AND destinations.#d.#status = :seenStatus AND " +
      "(attribute_not_exists(destinations.#d.#writeToken) OR destinations.#d.#writeToken <> :token)";
    names["#status"] = "status";
    names["#writeToken"] = "writeToken";
    values[":seenStatus"] = current.status;
    values[":token"] = state.writeToken;
  }
  const destinations = { ...item.destinations, [destinationId]: state };
  const change = overallStatusChange(
    item.status,
    deriveOverallStatus(destinationStatusesOf({ ...item, destinations })),
  );
  if (change !== undefined) {
    // The status derives from every destination's state as read: written only if no other update came in between.
    const status = statusAssignments(table, item, change);
    sets.push(...status.sets);
    removes.push(...status.removes);
    Object.assign(names, status.names, { "#status": "status" });
    Object.assign(values, status.values);
    condition += " AND #version = :seenVersion";
    values[":seenVersion"] = item.version ?? 0;
  }
  const out = await table.client.send(
    new UpdateItemCommand({
      TableName: table.tableName,
      Key: stateKey(item.pk),
      UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
      ReturnValues: "ALL_NEW",
    }),
  );
  return unmarshall(out.Attributes ?? {}) as StoredEvent;
}

/**
 * The assignments that set the overall status: FAILED and DEAD enter the problem index (under their own partition value), any other status leaves it. An index attribute is removed only
 * when the item as read has it: a removal of an absent attribute would change nothing.
 */
function statusAssignments(
  table: DeliveryTable,
  item: Pick<StoredEvent, "pk" | "problemShard">,
  status: Exclude<EventStatus, "RECEIVED">,
) {
  const sets = ["#status = :status"];
  const removes: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ":status": status };
  if (status === "FAILED" || status === "DEAD") {
    sets.push("#problemShard = :problemShard");
    names["#problemShard"] = "problemShard";
    values[":problemShard"] = problemShardOf(item.pk, status, table.shards);
  } else if (item.problemShard !== undefined) {
    removes.push("#problemShard");
    names["#problemShard"] = "problemShard";
  }
  return { sets, removes, names, values };
}

/**
 * Puts an attempt item (`attempt#<destination>#<number>`), TTL'd with the event. Conditional on the key being free:
 * a put that finds its own record there (the SDK's retry after a lost answer, or a settling record kept again) is
 * done; one that finds another attempt under the same number (two duplicate jobs that POSTed at once) is stored
 * beside it, under the same key with a random suffix, so neither is lost and both sort with their number.
 */
async function putAttempt(table: EventsTable, item: StoredEvent, attempt: AttemptEntry): Promise<void> {
  const sk = attemptSortKey(attempt.destination, attempt.attempt);
  const record = { pk: item.pk, ...attempt, expiresAt: item.expiresAt };
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall({ ...record, sk }, { removeUndefinedValues: true }),
        ConditionExpression: "attribute_not_exists(#pk)",
        ExpressionAttributeNames: { "#pk": "pk" },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
  } catch (error) {
    const failed = error as { name?: string; Item?: Record<string, never> };
    if (failed.name !== "ConditionalCheckFailedException" || failed.Item === undefined) throw error;
    if (sameAttempt(unmarshall(failed.Item) as AttemptEntry, attempt)) return;
    const beside = `${sk}#${randomUUID().slice(0, 8)}`;
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: marshall({ ...record, sk: beside }, { removeUndefinedValues: true }),
      }),
    );
  }
}

function sameAttempt(stored: AttemptEntry, attempt: AttemptEntry): boolean {
  return (
    stored.atMs === attempt.atMs &&
    stored.statusCode === attempt.statusCode &&
    stored.error === attempt.error &&
    stored.latencyMs === attempt.latencyMs &&
    stored.responseBodyExcerpt === attempt.responseBodyExcerpt
  );
}

/**
 * Writes the derived overall status if `version` is still `seenVersion`; returns false when it is not (a newer
 * destination update then writes its own derived status). For the cases the destination's own update did not
 * write it (`reconcileOverallStatus`: a duplicate job finding its destination settled but the status not). FAILED
 * and DEAD enter the problem index.
 */
export async function writeOverallStatus(
  table: DeliveryTable,
  item: Pick<StoredEvent, "pk" | "problemShard">,
  status: Exclude<EventStatus, "RECEIVED">,
  seenVersion: number,
): Promise<boolean> {
  const assignments = statusAssignments(table, item, status);
  const { sets, removes } = assignments;
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: stateKey(item.pk),
        UpdateExpression: `SET ${sets.join(", ")}${removes.length > 0 ? ` REMOVE ${removes.join(", ")}` : ""}`,
        ConditionExpression: "#version = :seenVersion",
        ExpressionAttributeNames: { ...assignments.names, "#status": "status", "#version": "version" },
        ExpressionAttributeValues: marshall({ ...assignments.values, ":seenVersion": seenVersion }),
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
export async function writeImpliedOverallStatus(table: DeliveryTable, item: StoredEvent): Promise<void> {
  const change = overallStatusChange(item.status, deriveOverallStatus(destinationStatusesOf(item)));
  if (change !== undefined) await writeOverallStatus(table, item, change, item.version ?? 0);
}
