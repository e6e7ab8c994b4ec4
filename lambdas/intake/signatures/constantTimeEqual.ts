import { timingSafeEqual } from "node:crypto";

/** Compares two values byte by byte in constant time; values of different lengths are unequal. */
export function constantTimeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const left = typeof a === "string" ? Buffer.from(a, "utf8") : a;
  const right = typeof b === "string" ? Buffer.from(b, "utf8") : b;
  // timingSafeEqual throws on different lengths; a signature's length is public, so checking it first leaks nothing.
  if (left.byteLength !== right.byteLength) return false;
  return timingSafeEqual(left, right);
}

/** True if any received signature equals any expected one, every comparison in constant time. */
export function anySignatureMatches(received: readonly string[], expected: readonly string[]): boolean {
  let matched = false;
  // No early exit: which candidate matched (and how many were tried) must not show in the timing.
  for (const candidate of received) {
    for (const signature of expected) matched = constantTimeEqual(candidate, signature) || matched;
  }
  return matched;
}
