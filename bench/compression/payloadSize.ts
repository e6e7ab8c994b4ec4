import { seededRandom } from "../../local/seededRandom.ts";
import type { Random } from "./payloadText.ts";

/**
 * One provider event type, as a function of its size: `units` is how many repeated parts it has (invoice lines,
 * commits, order line items), and the same seed and units always give the same payload.
 */
export interface PayloadKind {
  /** e.g. `stripe invoice.paid`. */
  name: string;
  /** Stripe sends its events pretty-printed (two-space indentation); GitHub and Shopify send compact JSON. */
  pretty: boolean;
  build(random: Random, units: number): unknown;
}

/** The payload's bytes with `units` repeated parts. */
export function payloadWithUnits(kind: PayloadKind, units: number, seed: number): Buffer {
  const event = kind.build(seededRandom(seed), units);
  return Buffer.from(kind.pretty ? JSON.stringify(event, null, 2) : JSON.stringify(event), "utf8");
}

/**
 * The smallest payload of `kind` of at least `targetBytes` (fewer when even none of its repeated parts is already
 * larger): the real shape grown the way such events grow, never padded.
 */
export function payloadOfSize(kind: PayloadKind, targetBytes: number, seed = 1): Buffer {
  let high = 1;
  while (payloadWithUnits(kind, high, seed).byteLength < targetBytes) high *= 2;
  let low = 0;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (payloadWithUnits(kind, middle, seed).byteLength >= targetBytes) high = middle;
    else low = middle + 1;
  }
  return payloadWithUnits(kind, low, seed);
}
