import type { AttemptEntry } from "./eventRecord.ts";

/**
 * The event's attempt log is bounded per destination: the first {@link FIRST_ATTEMPTS_KEPT} entries (how it went
 * wrong) and the last {@link LAST_ATTEMPTS_KEPT} (how it stands), the ones in between counted in the destination's
 * `attemptsOmitted`. Duplicate jobs and redrives add attempts beyond the schedule; unbounded, they would take the
 * item past DynamoDB's 400 KB, and a delivery that can no longer record its attempt retries until the DLQ.
 */
export const FIRST_ATTEMPTS_KEPT = 2;
export const LAST_ATTEMPTS_KEPT = 8;
/** Most entries one destination ever has in the log (the item-size budget counts with it). */
export const MAX_LOGGED_ATTEMPTS_PER_DESTINATION = FIRST_ATTEMPTS_KEPT + LAST_ATTEMPTS_KEPT;

/** The log with `entry` appended and `entry.destination`'s entries bounded; `omitted`: how many were left out now. */
export function appendBounded(
  log: readonly AttemptEntry[],
  entry: AttemptEntry,
): { log: AttemptEntry[]; omitted: number } {
  const next = [...log, entry];
  const positions = next.flatMap((candidate, index) => (candidate.destination === entry.destination ? [index] : []));
  const excess = positions.length - MAX_LOGGED_ATTEMPTS_PER_DESTINATION;
  if (excess <= 0) return { log: next, omitted: 0 };
  // Drop the oldest entries after the first ones kept: the middle of the story.
  const dropped = new Set(positions.slice(FIRST_ATTEMPTS_KEPT, FIRST_ATTEMPTS_KEPT + excess));
  return { log: next.filter((_, index) => !dropped.has(index)), omitted: excess };
}

/** Whether appending one more entry for `destination` needs the log rewritten (it holds the most it may). */
export function appendNeedsTrim(log: readonly AttemptEntry[], destination: string): boolean {
  let count = 0;
  for (const entry of log) if (entry.destination === destination) count++;
  return count >= MAX_LOGGED_ATTEMPTS_PER_DESTINATION;
}
