/**
 * Where a body is stored, decided on its size after encoding (`encodeBody`): inline in the events table, or in
 * the body bucket with a reference in the table (a claim check). Pure.
 *
 * The default limit is where S3 becomes cheaper, at list prices (bench/prices.json, us-east-1; the arithmetic is
 * bench/cost/bodyPlacementCost.ts, and its test keeps this default at the break-even it computes). Per million
 * events, one delivery, 30-day retention, a body item of the stored bytes + ~120 bytes of keys:
 *
 * - inline: ⌈item / 1 KB⌉ write units × $0.625 + ⌈item / 4 KB⌉ read units × $0.125 + item × 30 days × $0.25/GB-month.
 *   A 2 KB item costs $1.85; 7 KB, $6.29; 8 KB, $7.16; 9 KB, $8.15; 16 KB, $14.31; 64 KB, $57.26.
 * - S3: PUT $5.00 + 2 GETs $0.80 (the delivery streams the body twice: signature, then POST) + a ~300-byte
 *   reference item $0.82 + storage $0.023/GB-month (31 days, lifecycle expiry runs at midnight) + ~25 ms of
 *   512 MB Lambda per call $0.50: $7.14 at 1 KB, $7.30 at 8 KB, $7.48 at 16 KB, $8.57 at 64 KB.
 *
 * The lines cross between a 7 KB and an 8 KB body (an 8 KB item, 8 write units): up to 7 KB stored, inline is
 * cheaper, above it S3 is, by up to $50 per million at 64 KB. The PUT's $5.00 is what keeps small bodies
 * inline; DynamoDB's per-KB write price is what sends large ones out. With encodeBody's gzip, 1–8 KB webhooks
 * (under 2.5 KB stored) and 64 KB Stripe and Shopify events (5–6.5 KB) stay inline; a 64 KB GitHub push (~14 KB
 * stored) and anything of 1 MB go to S3. Longer retention lowers the break-even (90 days: 4 KB), more reads per
 * event raise it (3 attempts: 9 KB); near the line the difference is cents, and inline also saves the intake an
 * S3 round trip (~25 ms) and a second store that can fail, so the default sits at the line, not below it.
 */

/** Where a body goes. */
export type BodyPlacement = "inline" | "s3";

/** Bodies of at most this many bytes after encoding stay inline: 7 KB, the break-even above. */
export const DEFAULT_INLINE_BODY_LIMIT_BYTES = 7 * 1024;

/**
 * Largest inline limit accepted: DynamoDB's 400 KB item, less the room the event's other attributes and its
 * keys may need. A body item near 400 KB would also cost 390 write units on its single write.
 */
export const MAX_INLINE_BODY_LIMIT_BYTES = 350 * 1024;

/**
 * `inline` when the encoded body fits the limit, `s3` above it.
 * @throws RangeError when a size or the limit is not a whole number of bytes, or the limit exceeds
 * {@link MAX_INLINE_BODY_LIMIT_BYTES}
 */
export function bodyPlacement(
  sizeAfterEncoding: number,
  inlineLimitBytes: number = DEFAULT_INLINE_BODY_LIMIT_BYTES,
): BodyPlacement {
  if (!Number.isSafeInteger(sizeAfterEncoding) || sizeAfterEncoding < 0) {
    throw new RangeError(`body size must be a whole number of bytes, got ${sizeAfterEncoding}`);
  }
  if (
    !Number.isSafeInteger(inlineLimitBytes) ||
    inlineLimitBytes < 0 ||
    inlineLimitBytes > MAX_INLINE_BODY_LIMIT_BYTES
  ) {
    throw new RangeError(
      `inline body limit must be 0 to ${MAX_INLINE_BODY_LIMIT_BYTES} bytes (DynamoDB's 400 KB item), got ${inlineLimitBytes}`,
    );
  }
  return sizeAfterEncoding <= inlineLimitBytes ? "inline" : "s3";
}
