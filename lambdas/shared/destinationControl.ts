import { GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { EventsTable } from "./eventStore.ts";

/**
 * What the gateway keeps about a destination itself, beside its events: whether an operator paused it, and its
 * circuit breaker. One small item per destination in the events table, under a partition key no event can have
 * (an event's key starts with its provider's name, `^[a-z0-9]`), without the listing attributes (no index holds
 * it) and without a TTL (a pause lasts until it is resumed). The delivery reads it before an attempt and writes
 * it only when a failure or a recovery changes it; the operator's `destinations pause|resume|list` and the
 * console read and write the same item, on AWS and on the local stack.
 */

export const DESTINATION_CONTROL_PK_PREFIX = "$destination#";
export const DESTINATION_CONTROL_SK = "control";

/** How the circuit stands: closed (attempts go), open (attempts held until `probeAtMs`). */
export type CircuitState = "closed" | "open";

/** One change of a destination's state, newest last in {@link DestinationControl.history}. */
export interface ControlChange {
  atMs: number;
  change: "paused" | "resumed" | "opened" | "closed" | "probe_failed";
  /** Why: the operator's reason, the failure that opened the circuit (`timeout`, `http_503`…). */
  reason?: string;
  /** Who: the operator's identity, or `delivery`. */
  by?: string;
}

export interface DestinationControl {
  destination: string;
  paused: boolean;
  pausedAtMs?: number;
  pausedBy?: string;
  pauseReason?: string;
  circuit: CircuitState;
  /** Failures in a row (the breaker's kind: no answer, 5xx, 408, 429) since the last success. */
  consecutiveFailures: number;
  openedAtMs?: number;
  /** When an open circuit lets one attempt through (the probe). */
  probeAtMs?: number;
  /** The wait before the next probe, doubled by each failed one. */
  probeDelaySeconds?: number;
  /** A probe in flight until then: the other jobs wait for its answer. */
  probeLeaseUntilMs?: number;
  /** The success that last ended a run of failures or closed the circuit (a healthy destination's are not written). */
  lastSuccessAtMs?: number;
  lastFailureAtMs?: number;
  lastFailureReason?: string;
  /** The latest changes, oldest first, at most {@link MAX_CONTROL_HISTORY}. */
  history: ControlChange[];
}

export const MAX_CONTROL_HISTORY = 20;

export function destinationControlKey(destination: string) {
  return {
    pk: { S: `${DESTINATION_CONTROL_PK_PREFIX}${destination}` },
    sk: { S: DESTINATION_CONTROL_SK },
  };
}

/** A destination nobody paused and that never failed: what a missing item means. */
export function initialControl(destination: string): DestinationControl {
  return { destination, paused: false, circuit: "closed", consecutiveFailures: 0, history: [] };
}

type StoredControl = Partial<Omit<DestinationControl, "destination">>;

function controlOf(destination: string, item: Record<string, unknown> | undefined): DestinationControl {
  if (item === undefined) return initialControl(destination);
  const stored = unmarshall(item as never) as StoredControl & { pk?: string; sk?: string };
  const { pk: _pk, sk: _sk, ...fields } = stored;
  return {
    ...initialControl(destination),
    ...fields,
    paused: fields.paused === true,
    circuit: fields.circuit === "open" ? "open" : "closed",
    consecutiveFailures: fields.consecutiveFailures ?? 0,
    history: fields.history ?? [],
  };
}

/**
 * Reads a destination's control item. Eventually consistent by default (half a read unit; the delivery reads it
 * for every batch and a second's staleness is harmless); the operator reads it strongly consistent.
 */
export async function readDestinationControl(
  table: EventsTable,
  destination: string,
  options: { consistent?: boolean } = {},
): Promise<DestinationControl> {
  const out = await table.client.send(
    new GetItemCommand({
      TableName: table.tableName,
      Key: destinationControlKey(destination),
      ConsistentRead: options.consistent ?? false,
    }),
  );
  return controlOf(destination, out.Item);
}

/** A conditional update of the control item; `applied: false` when its condition did not hold. */
export interface ControlUpdate {
  set?: Partial<Omit<DestinationControl, "destination" | "history">>;
  remove?: (keyof DestinationControl)[];
  add?: Partial<Record<"consecutiveFailures", number>>;
  /** Appended to the history, whose oldest entries beyond {@link MAX_CONTROL_HISTORY} are dropped on the next write. */
  change?: ControlChange;
  /** A DynamoDB condition over the item's attributes, by name (`#consecutiveFailures`…) and `:values`. */
  condition?: string;
  values?: Record<string, unknown>;
}

/**
 * Applies `update` in one UpdateItem and returns the item as it is afterwards, or `undefined` when the condition
 * failed (another writer got there first). The history is trimmed here, from the state seen before the write:
 * `list_append` cannot drop the oldest entry in the same expression.
 */
export async function updateDestinationControl(
  table: EventsTable,
  destination: string,
  update: ControlUpdate,
): Promise<DestinationControl | undefined> {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ...update.values };
  const sets: string[] = [];
  const name = (field: string) => {
    names[`#${field}`] = field;
    return `#${field}`;
  };
  for (const [field, value] of Object.entries(update.set ?? {})) {
    if (value === undefined) continue;
    sets.push(`${name(field)} = :set_${field}`);
    values[`:set_${field}`] = value;
  }
  if (update.change !== undefined) {
    sets.push(`${name("history")} = list_append(if_not_exists(${name("history")}, :empty), :change)`);
    values[":empty"] = [];
    values[":change"] = [update.change];
  }
  const clauses: string[] = [];
  if (sets.length > 0) clauses.push(`SET ${sets.join(", ")}`);
  const adds = Object.entries(update.add ?? {}).map(([field, amount]) => {
    values[`:add_${field}`] = amount;
    return `${name(field)} :add_${field}`;
  });
  if (adds.length > 0) clauses.push(`ADD ${adds.join(", ")}`);
  if ((update.remove ?? []).length > 0) clauses.push(`REMOVE ${(update.remove ?? []).map(name).join(", ")}`);
  if (update.condition !== undefined) {
    for (const match of update.condition.matchAll(/#([A-Za-z]+)/g)) name(match[1] as string);
  }
  try {
    const out = await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: destinationControlKey(destination),
        UpdateExpression: clauses.join(" "),
        ...(update.condition !== undefined && { ConditionExpression: update.condition }),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length > 0 && {
          ExpressionAttributeValues: marshall(values, { removeUndefinedValues: true }),
        }),
        ReturnValues: "ALL_NEW",
      }),
    );
    const control = controlOf(destination, out.Attributes);
    if (control.history.length > MAX_CONTROL_HISTORY) await trimHistory(table, control);
    return control;
  } catch (error) {
    if ((error as { name?: string }).name === "ConditionalCheckFailedException") return undefined;
    throw error;
  }
}

/** Drops the oldest history entries beyond the limit; conditional on the length seen, so no entry is lost. */
async function trimHistory(table: EventsTable, control: DestinationControl): Promise<void> {
  const excess = control.history.length - MAX_CONTROL_HISTORY;
  const removed = Array.from({ length: excess }, (_, index) => `#history[${index}]`);
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: destinationControlKey(control.destination),
        UpdateExpression: `REMOVE ${removed.join(", ")}`,
        ConditionExpression: "size(#history) = :length",
        ExpressionAttributeNames: { "#history": "history" },
        ExpressionAttributeValues: marshall({ ":length": control.history.length }),
      }),
    );
  } catch (error) {
    // Another change came in between: the next write trims.
    if ((error as { name?: string }).name !== "ConditionalCheckFailedException") throw error;
  }
}
