/** How far a signed timestamp may be from now, in either direction, unless a scheme's config says otherwise. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Parses a unix timestamp in whole seconds written as plain digits; anything else is undefined. */
export function parseUnixSeconds(value: string): number | undefined {
  if (!/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}

/** True if `timestampMs` is no further than the tolerance from `nowMs`, in the past or the future. */
export function isWithinTolerance(
  timestampMs: number,
  nowMs: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  // A future timestamp is refused too: a captured request signed "ahead" would otherwise stay replayable longer.
  return Number.isFinite(timestampMs) && Math.abs(nowMs - timestampMs) <= toleranceSeconds * 1000;
}
