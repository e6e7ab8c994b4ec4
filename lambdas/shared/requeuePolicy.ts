import type { EventState } from "./eventRecord.ts";

/**
 * When an event left RECEIVED-but-not-queued counts as abandoned. The intake writes the item, then enqueues, then
 * marks it QUEUED within one invocation; an item still RECEIVED `sweepAfterSeconds` after arrival belongs to an
 * invocation that died or failed to enqueue. Both the sweeper and a duplicate delivery re-enqueue such an event;
 * neither touches a younger one, whose own invocation may still be about to enqueue it.
 */

/** Events received before this instant are abandoned if still RECEIVED. */
export function abandonedBeforeMs(nowMs: number, sweepAfterSeconds: number): number {
  return nowMs - sweepAfterSeconds * 1000;
}

/** True when the item is still RECEIVED and old enough that its intake invocation cannot still enqueue it. */
export function isAbandoned(
  item: Pick<EventState, "status" | "receivedAtMs">,
  nowMs: number,
  sweepAfterSeconds: number,
): boolean {
  return item.status === "RECEIVED" && item.receivedAtMs < abandonedBeforeMs(nowMs, sweepAfterSeconds);
}
