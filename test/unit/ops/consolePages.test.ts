import { describe, expect, test } from "@jest/globals";
import type { EventState } from "../../../lambdas/shared/eventRecord.ts";
import { cookieTokenOf, isToken, newConsoleToken, tokenCookie } from "../../../ops/console/consoleAccess.ts";
import { eventPage, eventsPage, highlightedJson } from "../../../ops/console/consolePages.ts";
import { receivedBuckets } from "../../../ops/events/eventStats.ts";
import type { EventDetail } from "../../../ops/events/eventViews.ts";

// A provider's event id and a consumer's answer are someone else's bytes: the pages must never let them be markup.
const HOSTILE = `<img src=x onerror="alert(1)">'&`;
const detail: EventDetail = {
  provider: "stripe",
  eventId: HOSTILE,
  idempotencyKey: "whk_x",
  status: "FAILED",
  receivedAt: "2026-12-02T10:00:00.000Z",
  destinations: { [HOSTILE]: { status: "FAILED", attempts: 1, reason: HOSTILE, lastStatusCode: 400 } },
  expiresAt: "2027-01-01T10:00:00.000Z",
  bodyStorage: "inline",
  attempts: [
    {
      destination: HOSTILE,
      attempt: 1,
      trigger: "initial",
      at: "2026-12-02T10:00:01.000Z",
      latencyMs: 9,
      response: HOSTILE,
    },
  ],
  payload: { encoding: "utf8", data: JSON.stringify({ note: HOSTILE }) },
};

describe("the console's pages", () => {
  test.each([
    ["events", eventsPage("/console", "t", { window: "1d", limit: 200, provider: HOSTILE }, [detail])],
    ["event", eventPage("/console", "t", detail)],
  ])("%s: every stored value is escaped, never markup", (_name, html) => {
    expect(html).not.toContain("<img");
    expect(html).not.toContain('onerror="');
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;");
  });

  test("event links encode the id: a slash or a ? stays part of it", () => {
    const html = eventsPage("/console", "t", { window: "1d", limit: 200 }, [{ ...detail, eventId: "a/b?c" }]);
    expect(html).toContain('href="/console/events/stripe/a%2Fb%3Fc"');
  });

  test("a PENDING destination's Replay stays disabled (it is being delivered)", () => {
    const pending = eventPage("/console", "t", {
      ...detail,
      eventId: "evt_1",
      destinations: { demo: { status: "PENDING", attempts: 0 } },
    });
    expect(pending).toMatch(
      /<button type="button" data-replay="demo"[^>]* disabled aria-disabled="true" data-pending>/,
    );
  });
});

describe("the console's token", () => {
  test("is 32 random bytes in base64url, compared whole", () => {
    const token = newConsoleToken();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(newConsoleToken()).not.toBe(token);
    expect(isToken(token, token)).toBe(true);
    expect(isToken(token, token.slice(0, -1))).toBe(false);
    expect(isToken(token, `${token}x`)).toBe(false);
    expect(isToken(token, undefined)).toBe(false);
  });

  test("travels in an HttpOnly, SameSite=Strict cookie under the console's path", () => {
    expect(tokenCookie("abc", "/console")).toBe("oncegate_console=abc; HttpOnly; SameSite=Strict; Path=/console");
    expect(cookieTokenOf("a=1; oncegate_console=abc; b=2")).toBe("abc");
    expect(cookieTokenOf("a=1")).toBeUndefined();
    expect(cookieTokenOf(undefined)).toBeUndefined();
  });
});

describe("the overview's buckets", () => {
  const state = (receivedAtMs: number, status: EventState["status"]) => ({ receivedAtMs, status }) as EventState;
  test("count each event once, in the bucket of its received time, by its status now; outside the window none", () => {
    const buckets = receivedBuckets(
      [
        state(0, "DELIVERED"),
        state(59_999, "FAILED"),
        state(60_000, "DEAD"),
        state(180_000, "DELIVERED"),
        state(-1, "DEAD"),
      ],
      { sinceMs: 0, untilMs: 180_000, bucketMs: 60_000 },
    );
    expect(buckets.map((bucket) => [bucket.startMs, bucket.received])).toEqual([
      [0, 2],
      [60_000, 1],
      [120_000, 0],
    ]);
    expect(buckets[0]?.byStatus).toMatchObject({ DELIVERED: 1, FAILED: 1, DEAD: 0 });
    expect(buckets[1]?.byStatus).toMatchObject({ DEAD: 1 });
  });
});

describe("the payload's highlighting", () => {
  test("wraps keys, strings, numbers and literals, escapes everything, and keeps the text as it was", () => {
    const text = JSON.stringify({ id: "evt_<1>", amount: -12.5e3, paid: true, note: null, quote: 'a "b"' }, null, 2);
    const html = highlightedJson(text);
    expect(html).toContain('<span class="json-key">&quot;id&quot;</span>:');
    expect(html).toContain('<span class="json-string">&quot;evt_&lt;1&gt;&quot;</span>');
    expect(html).toContain('<span class="json-number">-12500</span>');
    expect(html).toContain('<span class="json-literal">true</span>');
    expect(html).toContain('<span class="json-literal">null</span>');
    expect(html).toContain('<span class="json-string">&quot;a \\&quot;b\\&quot;&quot;</span>');
    // The text a reader copies is the JSON itself.
    const unescaped = html
      .replace(/<[^>]+>/g, "")
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">")
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, "&");
    expect(unescaped).toBe(text);
  });
});
