import type { DestinationStatus } from "../shared/eventRecord.ts";
import type { Decision } from "./retryPolicy.ts";

/** Delivery state of one event for one destination (the events table's own type). */
export type { DestinationStatus };

/** DELIVERED, FAILED and DEAD are settled: no attempt is scheduled any more. Only PENDING is not. */
export function isTerminalDestinationStatus(status: DestinationStatus): boolean {
  return status !== "PENDING";
}

/**
 * DELIVERED and FAILED are final: nothing changes them, and a job for them is dropped without a POST. DEAD is
 * settled but not final: an operator may redrive the job from the dead-letter queue, and it may still be delivered.
 */
export function isFinalDestinationStatus(status: DestinationStatus): boolean {
  return status === "DELIVERED" || status === "FAILED";
}

/**
 * The status after a decision. A final status never changes: SQS may run a duplicate or late attempt, and its
 * result (a retry after a success, a success after a permanent failure) must not rewrite the outcome. DEAD only
 * becomes DELIVERED, when a redriven job succeeds; a redriven job that fails again leaves it DEAD.
 */
export function nextDestinationStatus(current: DestinationStatus, decision: Decision): DestinationStatus {
  if (isFinalDestinationStatus(current)) return current;
  if (current === "DEAD") return decision.action === "delivered" ? "DELIVERED" : "DEAD";
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
