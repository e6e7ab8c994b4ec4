import type { EventAccount } from "./eventAccounting.ts";

/** One row of the reliability matrix: what a scenario sent, what became of it, and whether anything was lost. */
export interface ScenarioResult extends EventAccount {
  scenario: string;
  /** The sizes and knobs it ran with, in words (e.g. `50 events × 5, concurrency 64`). */
  parameters: string;
  /** Distinct events the harness tried to deliver. */
  eventsSent: number;
  /** HTTP requests it sent to the intake (duplicates and retries included). */
  requestsSent: number;
  timeMs: number;
  /** What the scenario itself expected and did not see (a crash that never fired, a 5xx…): fails the run too. */
  problems: string[];
  /** Facts worth reading next to the numbers (seed, crash exits, rejection codes). */
  notes: string[];
}

/** True when the row breaks the promise: something lost, an effect repeated, or the scenario's own check failed. */
export function scenarioFailed(result: ScenarioResult): boolean {
  return result.lost !== 0 || result.duplicated !== 0 || result.problems.length > 0;
}
