import { GetItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { attemptEntryOf, eventAttempts } from "./attemptHistory.ts";
import { stateKey } from "./eventItemKeys.ts";
import { ATTEMPT_SK_PREFIX, type AttemptEntry, type EventState } from "./eventRecord.ts";
import type { EventsTable } from "./eventStore.ts";

/** An event's state and every attempt made to deliver it, in the order they were made. */
export interface EventHistory {
  state: EventState;
  attempts: AttemptEntry[];
}

/**
 * The state (strongly consistent GetItem) and the attempts of one event: a Query on `pk` for `begins_with(sk,
 * "attempt#")`, following its pages, merged with the settling attempts the state holds. Never reads the body.
 * Undefined when the event is not stored (never accepted, or expired).
 */
export async function readEventHistory(table: EventsTable, pk: string): Promise<EventHistory | undefined> {
  const [stateOutput, items] = await Promise.all([
    table.client.send(new GetItemCommand({ TableName: table.tableName, Key: stateKey(pk), ConsistentRead: true })),
    attemptItems(table, pk),
  ]);
  if (stateOutput.Item === undefined) return undefined;
  const state = unmarshall(stateOutput.Item) as EventState;
  return { state, attempts: eventAttempts(state, items) };
}

/** The attempt items of one event, in sort key order (by destination, then number). */
export async function attemptItems(table: EventsTable, pk: string): Promise<AttemptEntry[]> {
  const entries: AttemptEntry[] = [];
  let startKey: Record<string, never> | undefined;
  do {
    const page = await table.client.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": "pk", "#sk": "sk" },
        ExpressionAttributeValues: { ":pk": { S: pk }, ":prefix": { S: ATTEMPT_SK_PREFIX } },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) entries.push(attemptEntryOf(unmarshall(item) as AttemptEntry));
    startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (startKey !== undefined);
  return entries;
}
