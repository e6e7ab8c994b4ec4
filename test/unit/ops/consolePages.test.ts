import { describe, expect, test } from "@jest/globals";
import type { EventState } from "../../../lambdas/shared/eventRecord.ts";
import {
  ConsoleAccess,
  cookieTokenOf,
  isToken,
  newConsoleToken,
  tokenCookie,
} from "../../../ops/console/consoleAccess.ts";
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
  headers: { "user-agent": HOSTILE },
  droppedHeaders: [HOSTILE],
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
    ["events", eventsPage("/console", "t", { window: "1d", limit: 200, provider: HOSTILE }, [detail], `1:${HOSTILE}`)],
    [
      "events after a cursor",
      eventsPage("/console", "t", { window: "1d", limit: 2, provider: HOSTILE, after: `1:${HOSTILE}` }, [detail]),
    ],
    ["event", eventPage("/console", "t", detail)],
  ])("%s: every stored value is escaped, never markup", (_name, html) => {
    expect(html).not.toContain("<img");
    expect(html).not.toContain('onerror="');
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;");
  });

  test("the pager keeps the filter and the page size, and links back to the newest", () => {
    const html = eventsPage(
      "/console",
      "t",
      { window: "1h", limit: 2, status: "FAILED", after: "5:a" },
      [detail],
      "3:b#c",
    );
    expect(html).toContain('href="/console/events?status=FAILED&amp;window=1h&amp;limit=2">Newest events</a>');
    expect(html).toContain(
      'href="/console/events?status=FAILED&amp;window=1h&amp;limit=2&amp;after=3%3Ab%23c" rel="next">Older events</a>',
    );
    const first = eventsPage("/console", "t", { window: "1d", limit: 200 }, [detail]);
    expect(first).not.toContain("Older events");
    expect(first).not.toContain("Newest events");
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

  test("a sign-in token signs in once: a new session, then spent, the same browser let through, another refused", () => {
    const access = new ConsoleAccess("first");
    expect(access.signIn("other", undefined)).toEqual({ outcome: "refused" });
    const first = access.signIn("first", undefined);
    if (first.outcome !== "signed_in") throw new Error(`not signed in: ${first.outcome}`);
    const { id, actionToken } = first.session;
    expect(new Set([id, actionToken, "first"]).size).toBe(3);
    expect(id).toMatch(/^[\w-]{43}$/);
    const cookie = `oncegate_console=${id}`;
    expect(access.sessionOf(cookie)).toEqual(first.session);
    // The URL again: from the browser that holds the session, nothing new; from any other, refused.
    expect(access.signIn("first", cookie)).toEqual({ outcome: "spent", session: first.session });
    expect(access.signIn("first", undefined)).toEqual({ outcome: "spent" });
    expect(access.signIn("first", "oncegate_console=forged")).toEqual({ outcome: "spent" });
    expect(access.sessionOf("oncegate_console=forged")).toBeUndefined();
    expect(access.sessionOf(undefined)).toBeUndefined();
    // Another sign-in URL: another session, the first one kept.
    const second = access.signIn(access.issue(), undefined);
    if (second.outcome !== "signed_in") throw new Error(`not signed in: ${second.outcome}`);
    expect(second.session.id).not.toBe(id);
    expect(access.sessionOf(`oncegate_console=${second.session.id}`)).toEqual(second.session);
    expect(access.sessionOf(cookie)).toEqual(first.session);
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
