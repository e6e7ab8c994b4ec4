import { GetItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import type { EventsTable } from "../shared/eventStore.ts";

/**
 * The sweeper's progress, one item in the events table: every event received before `watermarkMs` has been looked
 * at by a sweep that left it queued (or found it so). The next sweep walks the listing index from there.
 *
 * Its key cannot be an event's: an event's items have the sort keys `state`, `body` and `attempt#…`. It carries no
 * index attribute and no expiry, so no index lists it and TTL never removes it.
 */
export const SWEEP_WATERMARK_KEY = { pk: { S: "oncegate#sweeper" }, sk: { S: "watermark" } } as const;

/** The stored watermark, read strongly consistently; undefined before the first sweep saved one. */
export async function readWatermark(table: EventsTable): Promise<number | undefined> {
  const { Item } = await table.client.send(
    new GetItemCommand({ TableName: table.tableName, Key: SWEEP_WATERMARK_KEY, ConsistentRead: true }),
  );
  const value = Item?.watermarkMs?.N;
  return value === undefined ? undefined : Number(value);
}

/**
 * Moves the watermark from `seenMs` (what this sweep read at its start; undefined: none was stored) to `toMs`, only
 * if it is still `seenMs`. Two overlapping sweeps (EventBridge delivers a scheduled event at least once) each walk
 * from what they read: the later writer's progress is refused, not merged, so a watermark never passes an event
 * that the sweep which wrote it failed to queue. Returns false when refused; the next sweep walks again from the
 * stored one (the events it finds queued are skipped). A refusal that finds `toMs` stored is this call's own write,
 * applied before its answer was lost and then retried by the SDK: that is a success.
 */
export async function advanceWatermark(
  table: EventsTable,
  seenMs: number | undefined,
  toMs: number,
  nowMs: number,
): Promise<boolean> {
  try {
    await table.client.send(
      new UpdateItemCommand({
        TableName: table.tableName,
        Key: SWEEP_WATERMARK_KEY,
        UpdateExpression: "SET #watermarkMs = :to, #updatedAtMs = :now",
        ConditionExpression: seenMs === undefined ? "attribute_not_exists(#watermarkMs)" : "#watermarkMs = :seen",
        ExpressionAttributeNames: { "#watermarkMs": "watermarkMs", "#updatedAtMs": "updatedAtMs" },
        ExpressionAttributeValues: {
          ":to": { N: String(toMs) },
          ":now": { N: String(nowMs) },
          ...(seenMs !== undefined && { ":seen": { N: String(seenMs) } }),
        },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    return true;
  } catch (error) {
    const refused = error as { name?: string; Item?: { watermarkMs?: { N?: string } } };
    if (refused.name !== "ConditionalCheckFailedException") throw error;
    return refused.Item?.watermarkMs?.N === String(toMs);
  }
}
