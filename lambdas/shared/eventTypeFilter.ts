/**
 * Destination filters by event type (`destinations[].events`): patterns like `invoice.*`, `charge.succeeded`,
 * `orders/*`, matched against an event's type (`eventTypeOf`). Pure: validated once in `parseGatewayConfig`,
 * matched at intake for every accepted event.
 *
 * A type is segments joined by `.` (Stripe `customer.subscription.created`, GitHub `pull_request.opened`) or `/`
 * (Shopify `orders/create`). In a pattern:
 * - a segment is matched exactly (case-sensitive, as the providers send types);
 * - `*` as a middle segment matches exactly one segment (`*.created`, `customer.*.created`);
 * - `*` as the last segment matches one or more (`customer.*` is every customer event, `customer.subscription.*`
 *   included), never none: `invoice.*` does not match a type `invoice`;
 * - `*` alone matches every event that has a type.
 * A wildcard is always a whole segment (`inv*` is refused, not guessed at), and each separator matches itself.
 */

/** Why a pattern is refused, or undefined when it is a valid one. */
export function eventPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== "string" || pattern === "") return "expected a non-empty event type pattern";
  if (pattern.length > MAX_PATTERN_LENGTH) return `expected at most ${MAX_PATTERN_LENGTH} characters`;
  for (const segment of pattern.split(SEPARATOR)) {
    if (segment === "") return `${JSON.stringify(pattern)} has an empty segment (between or after separators)`;
    if (segment === "*") continue;
    if (segment.includes("*")) {
      return `${JSON.stringify(pattern)}: a wildcard is a whole segment (write "invoice.*", not "inv*" or "**")`;
    }
    if (!SEGMENT.test(segment)) {
      return `${JSON.stringify(pattern)}: segment ${JSON.stringify(segment)} may hold letters, digits, "_", "-" and ":" only`;
    }
  }
  return undefined;
}

/**
 * The patterns of a comma-separated list typed by an operator (`--type "invoice.*,charge.refunded"`), or why one of
 * them is refused.
 */
export function splitEventPatterns(text: string): { patterns: string[] } | { problem: string } {
  const patterns = text
    .split(",")
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== "");
  if (patterns.length === 0) return { problem: "expected at least one event type pattern" };
  for (const pattern of patterns) {
    const problem = eventPatternProblem(pattern);
    if (problem !== undefined) return { problem };
  }
  return { patterns };
}

/** Whether any of `patterns` matches any of an event's type names (`eventTypeNames`). */
export function matchesEventFilter(patterns: readonly string[], typeNames: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const expression = compiled(pattern);
    return typeNames.some((name) => expression.test(name));
  });
}

/**
 * The names an event's type matches under: the type itself, and for GitHub also its event name alone
 * (`pull_request` for `pull_request.opened`), because GitHub's own subscriptions are by event name, and a
 * filter `pull_request` that matched none of the pull request deliveries would be a trap.
 */
export function eventTypeNames(scheme: string, eventType: string | undefined): string[] {
  if (eventType === undefined) return [];
  const dot = eventType.indexOf(".");
  return scheme === "github" && dot > 0 ? [eventType, eventType.slice(0, dot)] : [eventType];
}

const MAX_PATTERN_LENGTH = 200;
const SEPARATOR = /[./]/;
const SEGMENT = /^[A-Za-z0-9_:-]+$/;
const WORD = "[^./]+";
// Patterns come from configuration: a few dozen per gateway, compiled once per cold start.
const expressions = new Map<string, RegExp>();

function compiled(pattern: string): RegExp {
  let expression = expressions.get(pattern);
  if (expression === undefined) {
    expression = new RegExp(`^${toSource(pattern)}$`);
    expressions.set(pattern, expression);
  }
  return expression;
}

function toSource(pattern: string): string {
  if (pattern === "*") return ".+";
  const parts = pattern.split(/([./])/);
  return parts
    .map((part, index) => {
      if (part === "." || part === "/") return `\\${part}`;
      // Segments are letters, digits, "_", "-" and ":" (`eventPatternProblem`): nothing a RegExp reads specially.
      if (part !== "*") return part;
      // The last segment's wildcard takes the rest of the type, one segment or more.
      return index === parts.length - 1 ? `${WORD}(?:[./]${WORD})*` : WORD;
    })
    .join("");
}
