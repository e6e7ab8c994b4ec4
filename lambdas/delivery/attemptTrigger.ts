import type { DestinationState } from "../shared/eventRecord.ts";
import type { AttemptPlan } from "./attemptPlan.ts";

/**
 * Why an attempt was made, sent as `Oncegate-Attempt-Trigger` and stored with the attempt: the first POST of an
 * event (`initial`), a scheduled retry (`retry`), the first POST of a round an operator opened by redriving a dead
 * job (`redrive`) or by replaying the event (`replay`). The later attempts of those rounds are retries.
 */
export type AttemptTrigger = "initial" | "retry" | "redrive" | "replay";

/** The trigger of a round an operator opens: kept on the destination until its first attempt is made. */
export type RoundTrigger = Extract<AttemptTrigger, "redrive" | "replay">;

export const ATTEMPT_TRIGGERS: readonly AttemptTrigger[] = ["initial", "retry", "redrive", "replay"];

/** The trigger of the attempt `plan` describes, for a destination in `state`. */
export function attemptTriggerOf(state: DestinationState | undefined, plan: AttemptPlan): AttemptTrigger {
  if (plan.roundAttempt > 1) return "retry";
  if (plan.attempt === 1) return "initial";
  return state?.roundTrigger ?? "retry";
}
