/**
 * The one source of time for the SDK. Every timestamp carries its unit in its name
 * (`startedAtMs`, `expiresAtEpochSec`): mixing seconds and milliseconds in expiry checks is a
 * classic idempotency bug, so conversions happen here only.
 */
export interface Clock {
  nowMs(): number;
}

export const systemClock: Clock = { nowMs: () => Date.now() };

/** Milliseconds since the epoch → whole seconds (what DynamoDB TTL wants). */
export function toEpochSec(ms: number): number {
  return Math.floor(ms / 1000);
}
