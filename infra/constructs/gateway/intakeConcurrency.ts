import type { Duration } from "aws-cdk-lib";

export interface IntakeConcurrencyInput {
  /** Most requests per second the intake must absorb: what the API lets through. */
  readonly peakRequestsPerSecond: number;
  /** The intake's p99 latency at that rate. */
  readonly p99Latency: Duration;
  /** The intake's timeout: no invocation lasts longer, so neither can the p99. */
  readonly intakeTimeout: Duration;
  /** An explicit reservation, used as is. */
  readonly reserved?: number;
}

/**
 * The intake's reserved concurrency. When the account's concurrency is exhausted, a function without a reservation
 * is throttled and providers see API Gateway 500s; a reservation keeps the intake's share for it (and caps it).
 *
 * Little's law: concurrent invocations = arrival rate × time in the system. With the p99 latency instead of the
 * mean, `ceil(peakRequestsPerSecond × p99 seconds)` leaves room for the slow tail (cold starts, a slow DynamoDB).
 * Lambda keeps 100 of the account's concurrency unreserved: the deploy fails if a reservation would take it below.
 * @throws Error naming the prop when an input is out of range
 */
export function intakeReservedConcurrency(input: IntakeConcurrencyInput): number {
  if (input.reserved !== undefined) {
    if (!Number.isSafeInteger(input.reserved) || input.reserved < 1) {
      throw new Error(
        `intakeReservedConcurrency: expected a whole number of at least 1 (0 would stop the intake), got ${input.reserved}`,
      );
    }
    return input.reserved;
  }
  const { peakRequestsPerSecond, p99Latency, intakeTimeout } = input;
  if (!Number.isFinite(peakRequestsPerSecond) || peakRequestsPerSecond <= 0) {
    throw new Error(`intakePeakRequestsPerSecond: expected a positive number, got ${peakRequestsPerSecond}`);
  }
  const p99Ms = p99Latency.toMilliseconds();
  if (p99Ms <= 0 || p99Ms > intakeTimeout.toMilliseconds()) {
    throw new Error(
      `intakeP99Latency: ${p99Latency.toHumanString()} is longer than the intake's timeout ` +
        `(${intakeTimeout.toHumanString()}) or not positive`,
    );
  }
  return Math.ceil((peakRequestsPerSecond * p99Ms) / 1000);
}
