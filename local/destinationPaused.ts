import { readDestinationControl } from "../lambdas/shared/destinationControl.ts";
import type { EventsTable } from "../lambdas/shared/eventStore.ts";

/** How long one read of a destination's pause is reused: the delivery's own cache (`CONTROL_CACHE_MS`). */
export const PAUSED_CACHE_MS = 1_000;

/**
 * Whether `destination` is paused (`destinations pause`), for its local worker's pollers: its control item read at
 * most once a second however many pollers ask (eventually consistent, as the delivery reads it), one read at a
 * time. It is the local stand-in for the event source mapping a pause disables on AWS: a paused destination's
 * worker receives nothing, so its jobs wait in its queue and no receive is spent on them.
 */
export function destinationPaused(
  table: EventsTable,
  destination: string,
  nowMs: () => number = Date.now,
): () => Promise<boolean> {
  let known: { paused: boolean; readAtMs: number } | undefined;
  let reading: Promise<boolean> | undefined;
  return () => {
    if (known !== undefined && nowMs() - known.readAtMs < PAUSED_CACHE_MS) return Promise.resolve(known.paused);
    reading ??= readDestinationControl(table, destination)
      .then((control) => {
        known = { paused: control.paused, readAtMs: nowMs() };
        return control.paused;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
}
