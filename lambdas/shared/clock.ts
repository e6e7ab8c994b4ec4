/**
 * The one source of time for the gateway Lambdas. Timestamps carry their unit in their name
 * (`receivedAtMs`, `expiresAt` in epoch seconds for DynamoDB TTL); conversions happen here only.
 */
export interface Clock {
  nowMs(): number;
}

/** The real clock. */
export const systemClock: Clock = { nowMs: () => Date.now() };

/** Milliseconds since the epoch → whole seconds (what DynamoDB TTL reads). */
export function toEpochSec(ms: number): number {
  return Math.floor(ms / 1000);
}
