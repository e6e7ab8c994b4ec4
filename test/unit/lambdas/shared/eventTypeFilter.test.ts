import { describe, expect, test } from "@jest/globals";
import fc from "fast-check";
import { eventPatternProblem, eventTypeNames, matchesEventFilter } from "../../../../lambdas/shared/eventTypeFilter.ts";

const matches = (pattern: string, type: string) => matchesEventFilter([pattern], [type]);

describe("matchesEventFilter", () => {
  test.each([
    ["invoice.*", "invoice.paid", true],
    ["invoice.*", "invoice.payment_failed", true],
    ["customer.*", "customer.subscription.created", true],
    ["invoice.*", "invoice", false],
    ["invoice.*", "invoiceitem.created", false],
    ["charge.succeeded", "charge.succeeded", true],
    ["charge.succeeded", "charge.succeeded.extra", false],
    ["charge.succeeded", "Charge.succeeded", false],
    ["*.created", "invoice.created", true],
    ["*.created", "customer.subscription.created", false],
    ["customer.*.created", "customer.subscription.created", true],
    ["orders/*", "orders/create", true],
    ["orders/*", "orders.create", false],
    ["orders/create", "orders/create", true],
    ["*", "push", true],
    ["*", "customer.subscription.created", true],
    ["v2.core.*", "v2.core.event_destination.ping", true],
  ])("%s against %s: %s", (pattern, type, expected) => {
    expect(matches(pattern, type)).toBe(expected);
  });

  test("matches when any pattern matches any of the type's names, and never without a type", () => {
    expect(matchesEventFilter(["charge.*", "invoice.paid"], ["invoice.paid"])).toBe(true);
    expect(matchesEventFilter(["charge.*"], ["invoice.paid"])).toBe(false);
    expect(matchesEventFilter(["*"], [])).toBe(false);
  });

  test("a GitHub event matches by its event name alone, as GitHub's own subscriptions do", () => {
    const names = eventTypeNames("github", "pull_request.opened");
    expect(names).toEqual(["pull_request.opened", "pull_request"]);
    expect(matchesEventFilter(["pull_request"], names)).toBe(true);
    expect(matchesEventFilter(["pull_request.closed"], names)).toBe(false);
    expect(matchesEventFilter(["pull_request.*"], names)).toBe(true);
    // Other schemes name the type only: a Stripe filter `invoice` is not every invoice event.
    expect(eventTypeNames("stripe", "invoice.paid")).toEqual(["invoice.paid"]);
    expect(eventTypeNames("github", undefined)).toEqual([]);
  });

  // An independent model: split both into segments and separators, walk them.
  function modelMatches(pattern: string, type: string): boolean {
    if (pattern === "*") return type.length > 0;
    const split = (text: string) => text.split(/([./])/);
    const p = split(pattern);
    const t = split(type);
    for (let index = 0; index < p.length; index += 1) {
      const part = p[index] as string;
      const last = index === p.length - 1;
      if (last && part === "*") {
        // The rest of the type: at least one segment, whatever its separators.
        return t.length > index && t[index] !== "";
      }
      if (index >= t.length) return false;
      if (part === "*") {
        if (t[index] === "") return false;
      } else if (part !== t[index]) return false;
    }
    return p.length === t.length;
  }

  const segment = fc.constantFrom("invoice", "paid", "customer", "subscription", "created", "orders", "a_b", "x-1");
  const separator = fc.constantFrom(".", "/");
  const joined = (parts: string[], separators: string[]) =>
    parts.reduce((text, part, index) => (index === 0 ? part : `${text}${separators[index - 1] ?? "."}${part}`), "");
  const typeArb = fc
    .tuple(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.array(separator, { maxLength: 3 }))
    .map(([parts, separators]) => joined(parts, separators));
  const patternArb = fc
    .tuple(
      fc.array(fc.oneof(segment, fc.constant("*")), { minLength: 1, maxLength: 4 }),
      fc.array(separator, { maxLength: 3 }),
    )
    .map(([parts, separators]) => joined(parts, separators));

  test("agrees with a segment-walking model on generated patterns and types", () => {
    fc.assert(
      fc.property(patternArb, typeArb, (pattern, type) => {
        expect(eventPatternProblem(pattern)).toBeUndefined();
        expect(matches(pattern, type)).toBe(modelMatches(pattern, type));
      }),
      { numRuns: 2_000, seed: 19 },
    );
  });

  test("a pattern without wildcards matches its own text, and only it", () => {
    fc.assert(
      fc.property(typeArb, typeArb, (pattern, type) => {
        expect(matches(pattern, pattern)).toBe(true);
        expect(matches(pattern, type)).toBe(pattern === type);
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});

describe("eventPatternProblem", () => {
  test.each([
    ["inv*", "a wildcard is a whole segment"],
    ["invoice.**", "a wildcard is a whole segment"],
    ["invoice.", "empty segment"],
    [".paid", "empty segment"],
    ["invoice..paid", "empty segment"],
    ["invoice paid", 'segment "invoice paid" may hold'],
    ["", "non-empty"],
  ])("refuses %j: %s", (pattern, message) => {
    expect(eventPatternProblem(pattern)).toContain(message);
  });

  test("refuses a non-string and an overlong pattern", () => {
    expect(eventPatternProblem(7)).toContain("non-empty event type pattern");
    expect(eventPatternProblem("a".repeat(201))).toContain("at most 200");
  });

  test.each(["*", "invoice.*", "*.created", "orders/create", "pull_request", "v2:core.ping", "a-b.c_d"])(
    "accepts %j",
    (pattern) => {
      expect(eventPatternProblem(pattern)).toBeUndefined();
    },
  );
});
