import type { EventView } from "../../local/eventView.ts";

/** An intake answer as the store-faults scenario sorts it (`outcome` as `postWebhook` names it). */
export type AnswerKind = "2xx" | "503" | "other";

export function answerKind(outcome: string): AnswerKind {
  if (outcome === "accepted" || outcome === "duplicate" || /^2\d\d$/.test(outcome)) return "2xx";
  return outcome === "503" ? "503" : "other";
}

/**
 * Why an event that was answered 503 (and nothing else yet) is not in a state the README documents for a 503, or
 * `undefined` when it is: not stored, or stored `RECEIVED` with no job acted on (its put landed, the answer did not
 * wait for it). Such an event is enqueued by the provider's next retry, or by the sweeper.
 */
export function unavailableStateProblem(eventId: string, view: EventView | undefined): string | undefined {
  if (view === undefined) return undefined;
  if (view.status === "RECEIVED" && view.queuedAt === undefined && view.attempts.length === 0) return undefined;
  const attempts = view.attempts.length === 0 ? "" : `, ${view.attempts.length} delivery attempts`;
  return `${eventId} was answered 503 but is ${view.status}${view.queuedAt === undefined ? "" : ", queued"}${attempts}`;
}
