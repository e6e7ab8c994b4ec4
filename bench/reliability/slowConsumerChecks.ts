import type { EventView } from "../../local/eventView.ts";
import type { ForwardedDelivery } from "./forwardingConsumer.ts";

/** What the slow-consumer scenario saw of each event besides the totals. */
export interface SlowConsumerFindings {
  /** Broken expectations, one line per kind with a few event ids. */
  problems: string[];
  /** 409s the consumer answered, all events together. */
  conflicts: number;
  /** Attempts the gateway recorded as timed out, all events together. */
  timeouts: number;
  /** Fewest and most deliveries one event got. */
  deliveriesPerEvent: { min: number; max: number };
}

const EXAMPLES = 3;

/**
 * Checks, per stored event, what a slow consumer must produce: the gateway timed out at least once (the premise),
 * every delivery carried the event's own `Idempotency-Key`, and the SDK answered 409 at least once while the first
 * run was still going. Events that are not stored are left to the accounting (they count as lost there).
 */
export function slowConsumerFindings(
  views: readonly EventView[],
  answers: readonly ForwardedDelivery[],
): SlowConsumerFindings {
  const byEvent = Map.groupBy(answers, (answer) => answer.eventId);
  const noTimeout: string[] = [];
  const noConflict: string[] = [];
  const wrongKey: string[] = [];
  let conflicts = 0;
  let timeouts = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const view of views) {
    const deliveries = byEvent.get(view.eventId) ?? [];
    const eventTimeouts = view.attempts.filter((attempt) => attempt.error === "timeout").length;
    const eventConflicts = deliveries.filter((delivery) => delivery.status === 409).length;
    timeouts += eventTimeouts;
    conflicts += eventConflicts;
    min = Math.min(min, deliveries.length);
    max = Math.max(max, deliveries.length);
    if (eventTimeouts === 0) noTimeout.push(view.eventId);
    if (eventConflicts === 0) noConflict.push(view.eventId);
    if (deliveries.length === 0 || deliveries.some((delivery) => delivery.key !== view.idempotencyKey))
      wrongKey.push(view.eventId);
  }
  const problems = [
    tally(noTimeout, "events never timed out (the handler was not slower than the delivery timeout)"),
    tally(noConflict, "events got no 409 while their first run was going"),
    tally(wrongKey, "events got no delivery, or one with another Idempotency-Key than theirs"),
  ].filter((problem): problem is string => problem !== undefined);
  return { problems, conflicts, timeouts, deliveriesPerEvent: { min: views.length === 0 ? 0 : min, max } };
}

function tally(eventIds: readonly string[], what: string): string | undefined {
  if (eventIds.length === 0) return undefined;
  const more = eventIds.length > EXAMPLES ? ", …" : "";
  return `${eventIds.length} ${what}: ${eventIds.slice(0, EXAMPLES).join(", ")}${more}`;
}
