import { describe, expect, test } from "@jest/globals";
import { destinationsPage } from "../../../ops/console/destinationsPage.ts";
import type { DestinationView } from "../../../ops/destinations/destinationView.ts";

// An operator's reason and identity, and a failure's reason, are stored text: the page must never let them be markup.
const HOSTILE = `<img src=x onerror="alert(1)">'&`;
const paused: DestinationView = {
  id: "orders",
  state: "paused",
  backlog: 3,
  inFlight: 1,
  consecutiveFailures: 2,
  lastFailureAtMs: 1_000,
  lastFailureReason: HOSTILE,
  pausedAtMs: 2_000,
  pausedBy: HOSTILE,
  pauseReason: HOSTILE,
  eventSourceState: HOSTILE,
  history: [{ atMs: 2_000, change: "paused", reason: HOSTILE, by: HOSTILE }],
};

describe("the Destinations page", () => {
  test("escapes every stored value, never markup", () => {
    const html = destinationsPage("/console", "t", [paused]);
    expect(html).not.toContain("<img");
    expect(html).not.toContain('onerror="');
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;");
  });

  test("offers Resume for a paused destination and Pause (with a reason) for the others, disabled until the script runs", () => {
    const html = destinationsPage("/console", "t", [paused, { ...paused, id: "audit", state: "active", history: [] }]);
    expect(html).toContain('<button type="button" data-resume="orders" disabled>Resume orders</button>');
    expect(html).toContain('<form class="pause" data-pause="audit" aria-label="Pause audit">');
    expect(html).toContain('<button type="submit" disabled>Pause audit</button>');
    expect(html).not.toContain('data-pause="orders"');
  });

  test("lists the changes of every destination newest first, the later of one millisecond first", () => {
    const history = [
      { atMs: 5, change: "paused" as const },
      { atMs: 5, change: "resumed" as const },
    ];
    const html = destinationsPage("/console", "t", [{ ...paused, state: "active", history }]);
    expect(html.indexOf("<td>resumed</td>")).toBeLessThan(html.indexOf("<td>paused</td>"));
  });
});
