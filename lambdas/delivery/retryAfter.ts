// RFC 9110 §10.2.3: Retry-After is either delay-seconds (1*DIGIT) or an HTTP-date.
const DELAY_SECONDS = /^\d+$/;
// IMF-fixdate, the HTTP-date form every current server sends, e.g. "Wed, 21 Oct 2015 07:28:00 GMT". Matched
// before Date.parse because Date.parse alone accepts almost anything ("5", "2024", "tomorrow" in some engines).
const IMF_FIXDATE =
  /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/**
 * Seconds a `Retry-After` header asks to wait, measured from `nowMs`; `undefined` when absent or unparseable.
 *
 * Accepts delay-seconds and IMF-fixdate; the obsolete RFC 850 and asctime date forms, fractions, negative
 * numbers and anything else are treated as no header. A date in the past gives 0. The value is not bounded here
 * (it may even be `Infinity` for a very long digit string): the retry policy bounds it.
 */
export function retryAfterSeconds(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (DELAY_SECONDS.test(value)) return Number(value);
  if (!IMF_FIXDATE.test(value)) return undefined;
  const atMs = Date.parse(value);
  if (Number.isNaN(atMs)) return undefined;
  // Rounded up: retrying a fraction of a second before the date the consumer gave would be too early.
  return Math.max(0, Math.ceil((atMs - nowMs) / 1000));
}
