import { InvalidRetryScheduleError } from "../shared/errors.ts";

/** Longest delay SQS can hold a message for (its visibility timeout cap), 12 hours. */
export const MAX_RETRY_DELAY_SECONDS = 43_200;

/** Seconds to wait before attempts 2 to 8: 8 attempts spread over about 27.6 hours. */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = Object.freeze([
  5, 300, 1800, 7200, 18000, 36000, 36000,
]);

const WHOLE_SECONDS = /^\d+$/;
const EXPECTED = `expected a whole number of seconds from 1 to ${MAX_RETRY_DELAY_SECONDS}`;

/**
 * Parses a schedule written as comma-separated whole seconds, e.g. `"1, 2, 4, 8"`.
 *
 * Each entry must be a whole number from 1 to {@link MAX_RETRY_DELAY_SECONDS}: SQS delays are whole seconds and
 * cannot exceed 12 hours. Throws {@link InvalidRetryScheduleError} naming the first bad entry.
 */
export function parseRetrySchedule(text: string): number[] {
  if (text.trim() === "") throw new InvalidRetryScheduleError(`it is empty, ${EXPECTED} per entry, e.g. "5,300,1800"`);
  const schedule = text.split(",").map((raw, index) => {
    const entry = raw.trim();
    // Number() alone would also take "1e3", "0x10", "+5" and "Infinity".
    if (!WHOLE_SECONDS.test(entry)) {
      throw new InvalidRetryScheduleError(`entry ${index + 1} is ${JSON.stringify(entry)}, ${EXPECTED}`);
    }
    return Number(entry);
  });
  assertRetrySchedule(schedule);
  return schedule;
}

/** Throws {@link InvalidRetryScheduleError} unless every delay is a whole number of seconds from 1 to 12 hours. */
export function assertRetrySchedule(schedule: readonly number[]): void {
  // A schedule built in code rather than parsed may still hold a typo such as -5, 1.5 or NaN.
  schedule.forEach((seconds, index) => {
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_RETRY_DELAY_SECONDS) {
      throw new InvalidRetryScheduleError(`entry ${index + 1} is ${seconds}, ${EXPECTED}`);
    }
  });
}

/** Attempts a schedule allows: the first one plus one per delay. */
export function maxAttempts(schedule: readonly number[]): number {
  return schedule.length + 1;
}
