import { fetchEvent } from "../../local/stackClient.ts";
import type { LocalStats } from "../../local/stackStats.ts";

/** An event the intake answered 2xx for at least once: from then on the gateway owns it. */
export interface AcceptedEvent {
  provider: string;
  eventId: string;
}

/** How the accepted events of a scenario ended, and whether any was lost or had an effect repeated. */
export interface EventAccount {
  /** Distinct events that got a 2xx. */
  accepted: number;
  delivered: number;
  /** `FAILED` or `DEAD` with a recorded reason: accounted for, not lost. */
  failed: number;
  dead: number;
  /** `reason` → events, for the failed and dead ones (e.g. `{ "http_409": 1 }`). */
  reasons: Record<string, number>;
  /** Handler runs, charges and receipts the demo consumer added during the scenario. */
  handlerRuns: number;
  charges: number;
  receipts: number;
  /** Accepted events that are not delivered, and not failed or dead with a reason. */
  lost: number;
  /** Charges and receipts above the number of accepted events. */
  duplicated: number;
  /** Up to 10 lost events, with their status, for the report. */
  lostExamples: string[];
}

const LOOKUP_CONCURRENCY = 32;

/**
 * Looks every accepted event up (`GET /events/{provider}/{id}`) and compares the consumer's counters with the number
 * of events. Charges are keyed by the Idempotency-Key, so a repeated charge shows as a total above the events;
 * receipts are a plain counter, so their total is compared the same way.
 */
export async function accountFor(
  baseUrl: string,
  events: readonly AcceptedEvent[],
  before: LocalStats,
  after: LocalStats,
): Promise<EventAccount> {
  const account: EventAccount = {
    accepted: events.length,
    delivered: 0,
    failed: 0,
    dead: 0,
    reasons: {},
    handlerRuns: after.handlerRuns - before.handlerRuns,
    charges: after.charges - before.charges,
    receipts: after.receipts - before.receipts,
    lost: 0,
    duplicated: 0,
    lostExamples: [],
  };
  let next = 0;
  const worker = async () => {
    while (next < events.length) {
      const event = events[next++] as AcceptedEvent;
      const view = await fetchEvent(baseUrl, event.provider, event.eventId);
      if (view?.status === "DELIVERED") {
        account.delivered += 1;
        continue;
      }
      const reasons = Object.values(view?.destinations ?? {})
        .map((destination) => destination.reason)
        .filter((reason): reason is string => reason !== undefined);
      if ((view?.status === "FAILED" || view?.status === "DEAD") && reasons.length > 0) {
        account[view.status === "FAILED" ? "failed" : "dead"] += 1;
        for (const reason of reasons) account.reasons[reason] = (account.reasons[reason] ?? 0) + 1;
        continue;
      }
      account.lost += 1;
      if (account.lostExamples.length < 10)
        account.lostExamples.push(`${event.provider}/${event.eventId}: ${view?.status ?? "not stored"}`);
    }
  };
  await Promise.all(Array.from({ length: LOOKUP_CONCURRENCY }, worker));
  account.duplicated = Math.max(0, account.charges - events.length) + Math.max(0, account.receipts - events.length);
  return account;
}
