import type { Decision } from "./retryPolicy.ts";

/** Delivery state of one event for one destination. */
export type DestinationStatus = "PENDING" | "DELIVERED" | "FAILED" | "DEAD";

/** DELIVERED, FAILED and DEAD are final: no later attempt result changes them. */
export function isTerminalDestinationStatus(status: DestinationStatus): boolean {
  return status !== "PENDING";
}

/**
 * The status after a decision. A terminal status never changes: SQS may run a duplicate or late attempt, and
 * its result (a retry after a success, a success after the event went dead) must not rewrite the outcome.
 */
export function nextDestinationStatus(current: DestinationStatus, decision: Decision): DestinationStatus {
  if (isTerminalDestinationStatus(current)) return current;
  switch (decision.action) {
    case "delivered":
      return "DELIVERED";
    case "retry":
      return "PENDING";
    case "dead":
      return "DEAD";
    case "failed":
      return "FAILED";
  }
}
