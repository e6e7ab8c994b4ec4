import { EVENT_STATUSES, type EventStatus } from "../../lambdas/shared/eventRecord.ts";
import type { GatewayMetric } from "../../lambdas/shared/metrics.ts";
import type { DeadLetterView } from "../deadLetters/deadLetter.ts";
import type { EventStats, ReceivedBucket } from "../events/eventStats.ts";
import type { EventDetail, EventSummary } from "../events/eventViews.ts";
import type { KeyView } from "../keys/keyRecord.ts";
import { bucketStarts, type GatewayCounts, type MetricWindow } from "../metrics/gatewayCounts.ts";

/**
 * The console's pages as HTML, server-rendered from the operator library's views (the `--json` shapes of `events
 * list` and `events show`): readable without JavaScript, which only adds the confirmation, the actions' requests and
 * live refresh (console.js). Pure: every value from the store is escaped here, once.
 */

export { EVENT_STATUSES };
/** The time windows the events page offers, by name. */
export const WINDOWS = { "1h": 3_600_000, "1d": 86_400_000, "7d": 7 * 86_400_000 } as const;
export type WindowName = keyof typeof WINDOWS;
/** Events a page lists unless its address says `limit`. */
export const DEFAULT_PAGE_SIZE = 200;

/** What the events page was asked for: the filter, as the form sends it back. */
export interface EventsQuery {
  status?: EventStatus;
  provider?: string;
  destination?: string;
  /** Event type patterns, comma-separated, as destinations' `events` take them. */
  type?: string;
  window: WindowName;
  limit: number;
  /** The page after this cursor (`<receivedAtMs>:<pk>` of the last event of the page before), if not the first. */
  after?: string;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}
const h = (value: unknown) => escapeHtml(String(value ?? ""));

/** The link of one event's page. */
export function eventPath(basePath: string, provider: string, eventId: string): string {
  return `${basePath}/events/${encodeURIComponent(provider)}/${encodeURIComponent(eventId)}`;
}

/** A whole console page around `main` (already HTML): the head, the token the actions carry, the navigation. */
export function page(basePath: string, title: string, token: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="oncegate-token" content="${h(token)}">
<title>${h(title)} · Oncegate console</title>
<link rel="icon" href="${basePath}/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="${basePath}/console.css">
<script type="module" src="${basePath}/console.js"></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><nav aria-label="Console"><a href="${basePath}/overview">Overview</a> <a href="${basePath}/events">Events</a> <a href="${basePath}/recover">Recover</a> <a href="${basePath}/dead-letters">Dead letters</a> <a href="${basePath}/destinations">Destinations</a> <a href="${basePath}/keys">Consumer keys</a></nav></header>
<main id="main">
${main}
</main>
</body>
</html>
`;
}

const statusBadge = (status: string) => `<span class="status status-${h(status.toLowerCase())}">${h(status)}</span>`;

function select(name: string, label: string, options: readonly string[], chosen: string | undefined, any?: string) {
  const items = [
    ...(any === undefined ? [] : [`<option value=""${chosen === undefined ? " selected" : ""}>${h(any)}</option>`]),
    ...options.map((option) => `<option${option === chosen ? " selected" : ""}>${h(option)}</option>`),
  ];
  return `<label>${h(label)} <select name="${name}">${items.join("")}</select></label>`;
}

/** The link of the events page `query` selects (its filter and its cursor). */
function eventsLink(basePath: string, query: EventsQuery, after: string | undefined): string {
  const params = new URLSearchParams();
  for (const name of ["status", "provider", "destination", "type", "window"] as const) {
    const value = query[name];
    if (value !== undefined) params.set(name, value);
  }
  if (query.limit !== DEFAULT_PAGE_SIZE) params.set("limit", String(query.limit));
  if (after !== undefined) params.set("after", after);
  return `${basePath}/events?${params.toString()}`;
}

/**
 * The events table: the newest first, with the filter that selected them; `next` is the cursor of the page after
 * this one, when there are more.
 */
export function eventsPage(
  basePath: string,
  token: string,
  query: EventsQuery,
  events: EventSummary[],
  next?: string,
): string {
  const rows = events.map((event) => {
    const destinations = Object.entries(event.destinations)
      .map(([id, destination]) => `${h(id)}: ${statusBadge(destination.status)} (${destination.attempts})`)
      .join("<br>");
    return `<tr>
<td><time datetime="${h(event.receivedAt)}">${h(event.receivedAt.replace("T", " ").replace(/\.\d+Z$/, "Z"))}</time></td>
<td>${h(event.provider)}</td>
<td><a href="${eventPath(basePath, event.provider, event.eventId)}">${h(event.eventId)}</a></td>
<td>${h(event.eventType ?? "")}</td>
<td>${statusBadge(event.status)}</td>
<td>${destinations}</td>
</tr>`;
  });
  const filter = `<form class="filter" method="get" action="${basePath}/events" aria-label="Filter events">
${select("status", "Status", EVENT_STATUSES, query.status, "any")}
<label>Provider <input name="provider" value="${h(query.provider)}" placeholder="stripe, github, …"></label>
<label>Destination <input name="destination" value="${h(query.destination)}"></label>
<label>Type <input name="type" value="${h(query.type)}" placeholder="invoice.*, pull_request"></label>
${select("window", "Received in the last", Object.keys(WINDOWS), query.window)}
${query.limit === DEFAULT_PAGE_SIZE ? "" : `<input type="hidden" name="limit" value="${query.limit}">`}
<button type="submit">Filter</button>
<label class="live"><input type="checkbox" name="live" data-live> Live refresh</label>
</form>
<p id="refresh-status" role="status" aria-live="polite"></p>`;
  const table =
    events.length === 0
      ? `<p id="events-empty">No event matches.</p>`
      : `<table id="events">
<caption>${events.length} event(s), newest first${query.after === undefined ? "" : ", older than the page before"}</caption>
<thead><tr><th scope="col">Received</th><th scope="col">Provider</th><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Destinations (attempts)</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
  const pages = [
    ...(query.after === undefined ? [] : [`<a href="${h(eventsLink(basePath, query, undefined))}">Newest events</a>`]),
    ...(next === undefined ? [] : [`<a href="${h(eventsLink(basePath, query, next))}" rel="next">Older events</a>`]),
  ];
  const pager = pages.length === 0 ? "" : `\n<nav class="pager" aria-label="Pages of events">${pages.join(" ")}</nav>`;
  const find = `<form class="filter" method="get" action="${basePath}/find" aria-label="Find an event">
<label>Event id or Idempotency-Key <input name="q" placeholder="stripe evt_… or whk_…" size="40"></label>
<button type="submit">Find</button>
</form>`;
  return page(
    basePath,
    "Events",
    token,
    `<h1>Events</h1>\n${find}\n${filter}\n<div data-refresh>${table}${pager}</div>`,
  );
}

/** One event's life: its state, each destination with its Replay action, the attempts in order, the payload. */
export function eventPage(
  basePath: string,
  token: string,
  event: EventDetail,
  configured: readonly string[] = [],
): string {
  const path = eventPath(basePath, event.provider, event.eventId);
  const timeline = [
    ["received", event.receivedAt, ""],
    ...(event.queuedAt ? [["queued", event.queuedAt, ""]] : []),
    ...event.attempts.map((attempt) => [
      `attempt ${attempt.attempt} to ${attempt.destination} (${attempt.trigger})`,
      attempt.at,
      `${attempt.statusCode ?? attempt.error ?? ""} in ${attempt.latencyMs} ms`,
    ]),
  ]
    .map(
      ([what, at, outcome]) =>
        `<li><time datetime="${h(at)}">${h(at)}</time> <strong>${h(what)}</strong> ${h(outcome)}</li>`,
    )
    .join("\n");
  const destinations = Object.entries(event.destinations)
    .map(
      ([id, destination]) => `<tr>
<th scope="row">${h(id)}</th>
<td>${statusBadge(destination.status)}</td>
<td>${destination.attempts}</td>
<td>${h(destination.lastStatusCode ?? "")}</td>
<td>${h(destination.reason ?? "")}</td>
<td><button type="button" data-replay="${h(id)}" data-event="${h(`${event.provider}/${event.eventId}`)}" disabled${destination.status === "PENDING" ? ' aria-disabled="true" data-pending' : ""}>Replay to ${h(id)}</button></td>
</tr>`,
    )
    .join("\n");
  // Configured destinations the event was never sent to (it is UNROUTED, or they were added since): an operator may
  // send it there, which `events replay --destination` does too.
  const notSent = configured.filter((id) => !Object.hasOwn(event.destinations, id));
  const routeTo =
    notSent.length === 0
      ? ""
      : `<h3>Not sent to</h3>
<ul id="not-sent">
${notSent.map((id) => `<li><button type="button" data-replay="${h(id)}" data-event="${h(`${event.provider}/${event.eventId}`)}" data-first disabled>Send to ${h(id)}</button></li>`).join("\n")}
</ul>`;
  const attempts = event.attempts
    .map(
      (attempt) => `<tr>
<td>${h(attempt.destination)}</td><td>${attempt.attempt}</td><td>${h(attempt.trigger)}</td>
<td><time datetime="${h(attempt.at)}">${h(attempt.at)}</time></td><td>${h(attempt.statusCode ?? attempt.error ?? "")}</td>
<td>${attempt.latencyMs}</td><td><code>${h(attempt.response.slice(0, 200))}</code></td>
</tr>`,
    )
    .join("\n");
  const payload = event.payload
    ? `<pre id="payload" tabindex="0"><code>${highlightedJson(prettyPayload(event.payload))}</code></pre>`
    : `<p><a href="${path}?payload=1#payload">Show the payload</a> (${h(event.bodyBytes ?? "?")} bytes, ${h(event.bodyStorage)})</p>`;
  return page(
    basePath,
    `${event.provider}/${event.eventId}`,
    token,
    `<h1>${h(event.provider)} / ${h(event.eventId)} ${statusBadge(event.status)}</h1>
<dl class="facts">
${event.eventType === undefined ? "" : `<dt>Type</dt><dd><code>${h(event.eventType)}</code></dd>\n`}<dt>Idempotency-Key</dt><dd><code>${h(event.idempotencyKey)}</code> (<a href="${basePath}/keys?key=${encodeURIComponent(event.idempotencyKey)}">its record in a consumer's table</a>)</dd>
<dt>Content type</dt><dd>${h(event.contentType ?? "")}</dd>
<dt>Kept until</dt><dd>${h(event.expiresAt)}</dd>
</dl>
<h2>Headers kept</h2>
${headersList(event)}
<h2>Destinations</h2>
<p class="hint" data-no-script>Replaying needs JavaScript (the request carries the console's token in a header).</p>
<div role="status" aria-live="polite" id="action-result"></div>
<table id="destinations">
<thead><tr><th scope="col">Destination</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last status</th><th scope="col">Reason</th><th scope="col">Action</th></tr></thead>
<tbody>
${destinations || `<tr><td colspan="6" id="no-destination">None: no destination's event filter takes ${event.eventType === undefined ? "an event without a type" : `<code>${h(event.eventType)}</code>`}.</td></tr>`}
</tbody>
</table>
${routeTo}
<h2>Timeline</h2>
<ol id="timeline">
${timeline}
</ol>
<h2>Attempts</h2>
<table id="attempts">
<thead><tr><th scope="col">Destination</th><th scope="col">#</th><th scope="col">Trigger</th><th scope="col">At</th><th scope="col">Status</th><th scope="col">ms</th><th scope="col">Response</th></tr></thead>
<tbody>
${attempts}
</tbody>
</table>
<h2>Payload</h2>
${payload}`,
  );
}

/** The request headers kept with the event (an allow-list: never a signature), and the names of any dropped. */
function headersList(event: EventDetail): string {
  const kept = Object.entries(event.headers);
  const list =
    kept.length === 0
      ? `<p id="headers">None of the headers the gateway keeps (content type, user agent, event type) came with it.</p>`
      : `<dl id="headers" class="facts">${kept.map(([name, value]) => `<dt><code>${h(name)}</code></dt><dd><code>${h(value)}</code></dd>`).join("")}</dl>`;
  const dropped =
    event.droppedHeaders === undefined
      ? ""
      : `\n<p>Not kept, their value being one no HTTP request can carry: ${event.droppedHeaders.map((name) => `<code>${h(name)}</code>`).join(", ")}.</p>`;
  return `${list}${dropped}<p class="hint">Signature headers are checked at intake and never stored.</p>`;
}

// A JSON token: a string (a key when a colon follows), a number, a literal; anything between is punctuation.
const JSON_TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

/** Indented JSON as HTML, its keys, strings, numbers and literals in classes the style colours; escaped. */
export function highlightedJson(text: string): string {
  let html = "";
  let last = 0;
  for (const match of text.matchAll(JSON_TOKEN)) {
    html += h(text.slice(last, match.index));
    const [token, string, colon, number, literal] = match;
    if (string !== undefined) {
      html += `<span class="${colon ? "json-key" : "json-string"}">${h(string)}</span>${h(colon ?? "")}`;
    } else if (number !== undefined) {
      html += `<span class="json-number">${h(number)}</span>`;
    } else if (literal !== undefined) {
      html += `<span class="json-literal">${h(literal)}</span>`;
    } else {
      html += h(token);
    }
    last = (match.index ?? 0) + token.length;
  }
  return html + h(text.slice(last));
}

/** JSON indented; anything else as it came (base64 when not UTF-8). */
function prettyPayload(payload: NonNullable<EventDetail["payload"]>): string {
  if (payload.encoding !== "utf8") return payload.data;
  try {
    return JSON.stringify(JSON.parse(payload.data), null, 2);
  } catch {
    return payload.data;
  }
}

/** What the keys page was asked for, and what it found. */
export interface KeysQuery {
  key?: string;
  table?: string;
  scope?: string;
}

/** A consumer key: the lookup form, the record and its audit, and the release form. */
export function keysPage(
  basePath: string,
  token: string,
  query: KeysQuery,
  found: { view?: KeyView; problem?: { error: string; message: string } },
): string {
  const field = (name: keyof KeysQuery, label: string, hint: string) =>
    `<label>${h(label)} <input name="${name}" value="${h(query[name])}" placeholder="${h(hint)}"${name === "key" ? " required" : ""}></label>`;
  const lookup = `<form class="filter" method="get" action="${basePath}/keys" aria-label="Look up a key">
${field("key", "Idempotency-Key", "whk_…")}
${field("table", "Table", "the consumer's IDEMPOTENCY_TABLE (default: the demo consumer's)")}
${field("scope", "Scope", "the SDK's scope")}
<button type="submit">Look up</button>
</form>`;
  const problem = found.problem
    ? `<p role="alert" class="error">${h(found.problem.message)} (<code>${h(found.problem.error)}</code>)</p>`
    : "";
  const view = found.view;
  const record = view
    ? `<h2>Record <span class="status status-${h(view.status.toLowerCase())}">${h(view.status)}</span></h2>
<dl class="facts" id="key-record">
<dt>Table</dt><dd>${h(view.table)}</dd>
<dt>Scope</dt><dd>${h(view.scope)}</dd>
<dt>Key</dt><dd><code>${h(view.key)}</code></dd>
${view.startedAt ? `<dt>Claimed</dt><dd>${h(view.startedAt)}</dd>` : ""}
${view.completedAt ? `<dt>Completed</dt><dd>${h(view.completedAt)}</dd>` : ""}
${view.failedAt ? `<dt>Failed</dt><dd>${h(view.failedAt)}</dd>` : ""}
${view.releasedAt ? `<dt>Released</dt><dd>${h(view.releasedAt)}</dd>` : ""}
${view.error ? `<dt>Error</dt><dd>${h(view.error.name)}: ${h(view.error.message)}</dd>` : ""}
${view.lease ? `<dt>Lease</dt><dd>until ${h(view.lease.expiresAt)}${view.lease.expired ? " (expired)" : ""}</dd>` : ""}
${view.owner ? `<dt>Owner</dt><dd>${h(view.owner)}</dd>` : ""}
</dl>
<h2>Audit</h2>
${
  view.audit.length === 0
    ? "<p>No operator action yet.</p>"
    : `<table id="audit"><thead><tr><th scope="col">At</th><th scope="col">By</th><th scope="col">Was</th><th scope="col">Forced</th><th scope="col">Reason</th></tr></thead><tbody>
${view.audit.map((entry) => `<tr><td>${h(entry.at)}</td><td>${h(entry.by)}</td><td>${h(entry.previousStatus)}</td><td>${entry.forced ? "yes" : "no"}</td><td>${h(entry.reason)}</td></tr>`).join("\n")}
</tbody></table>`
}
${
  view.status === "RELEASED"
    ? "<p>Released: the next delivery of this key runs the handler.</p>"
    : `<h2>Release</h2>
<p>Lets the next delivery of this key run the handler again (${view.status === "COMPLETED" ? "it already ran to the end: only with force" : "a FAILED handler, or a claim whose process died"}).</p>
<form id="release" data-key="${h(view.key)}" data-table="${h(view.table)}" data-scope="${h(view.scope)}" aria-label="Release the key">
<label>Reason (kept in the audit) <textarea name="reason" required maxlength="500" rows="2" cols="60"></textarea></label>
<label>Youngest IN_PROGRESS claim to release, in minutes (its handler may still be running) <input name="minAgeMinutes" type="number" min="0" step="1" value="15"></label>
<label class="live"><input type="checkbox" name="force"> Force (a COMPLETED key, or an IN_PROGRESS one within its lease or younger than that)</label>
<button type="submit" disabled>Release ${h(view.key)}</button>
</form>`
}`
    : "";
  return page(
    basePath,
    "Consumer keys",
    token,
    `<h1>Consumer keys</h1>\n${lookup}\n${problem}\n<div role="status" aria-live="polite" id="action-result"></div>\n${record}`,
  );
}

/** The dead-letter queue: its jobs (received and given back, never deleted), each with Redrive, and Redrive all. */
export function deadLettersPage(
  basePath: string,
  token: string,
  query: { destination?: string },
  letters: DeadLetterView[],
): string {
  const jobs = letters.filter((letter) => letter.pk !== undefined);
  const rows = letters.map((letter) => {
    const event =
      letter.provider !== undefined && letter.eventId !== undefined
        ? `<a href="${eventPath(basePath, letter.provider, letter.eventId)}">${h(letter.provider)}/${h(letter.eventId)}</a>`
        : "(not a delivery job)";
    const action =
      letter.pk === undefined
        ? ""
        : `<button type="button" data-redrive-event="${h(`${letter.provider}/${letter.eventId}`)}" data-redrive-destination="${h(letter.destination)}" disabled>Redrive ${h(letter.eventId)} to ${h(letter.destination)}</button>`;
    const pick =
      letter.pk === undefined
        ? ""
        : `<input type="checkbox" data-redrive-pick value="${h(letter.messageId)}" aria-label="Select ${h(letter.eventId)} to ${h(letter.destination)}">`;
    return `<tr><td>${pick}</td><td>${event}</td><td>${h(letter.destination ?? "")}</td><td>${letter.receiveCount}</td><td>${h(letter.sentAt ?? "")}</td><td><code>${h(letter.messageId)}</code></td><td>${action}</td></tr>`;
  });
  const filter = `<form class="filter" method="get" action="${basePath}/dead-letters" aria-label="Filter dead letters">
<label>Destination <input name="destination" value="${h(query.destination)}"></label>
<button type="submit">Filter</button>
</form>`;
  const table =
    letters.length === 0
      ? `<p id="dead-letters-empty">The dead-letter queue holds no job${query.destination ? " of this destination" : ""}.</p>`
      : `<table id="dead-letters">
<caption>${letters.length} job(s), oldest first</caption>
<thead><tr><th scope="col">Select</th><th scope="col">Event</th><th scope="col">Destination</th><th scope="col">Receives</th><th scope="col">First sent</th><th scope="col">Message</th><th scope="col">Action</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
<p class="actions"><button type="button" data-redrive-selected disabled>Redrive the selected jobs</button> <button type="button" data-redrive-all="${h(query.destination ?? "")}" data-count="${jobs.length}" disabled>Redrive all ${jobs.length}${query.destination ? ` of ${h(query.destination)}` : ""}</button></p>`;
  return page(
    basePath,
    "Dead letters",
    token,
    `<h1>Dead letters</h1>
<p>Each job goes back to the delivery queue once its destination is marked (DEAD → PENDING); a job of a destination
since delivered, or of an expired event, is deleted without sending.</p>
${filter}
<div role="status" aria-live="polite" id="action-result"></div>
${table}`,
  );
}

/** The overview's windows: the last hour in minutes, the last day in quarter hours. */
export const OVERVIEW_WINDOWS = {
  "1h": { spanMs: 3_600_000, bucketMs: 60_000, bucket: "minute" },
  "1d": { spanMs: 86_400_000, bucketMs: 900_000, bucket: "15 minutes" },
} as const;
export type OverviewWindow = keyof typeof OVERVIEW_WINDOWS;

// The chart's series, bottom to top, with the colours of the status badges.
const SERIES: { status: EventStatus; colour: string }[] = [
  { status: "DELIVERED", colour: "#2e8b47" },
  { status: "QUEUED", colour: "#d9a400" },
  { status: "RECEIVED", colour: "#f0cc55" },
  { status: "UNROUTED", colour: "#8a8f98" },
  { status: "FAILED", colour: "#d04545" },
  { status: "DEAD", colour: "#7a1010" },
];

const clock = (ms: number | undefined) => (ms === undefined ? "" : new Date(ms).toISOString().slice(11, 16));

/** A stacked bar chart of the buckets as inline SVG (no script, no network), described for screen readers. */
function receivedChart(buckets: ReceivedBucket[], bucketName: string, untilMs: number): string {
  const width = 960;
  const height = 180;
  const most = Math.max(1, ...buckets.map((bucket) => bucket.received));
  const barWidth = width / buckets.length;
  const bars = buckets.flatMap((bucket, index) => {
    let y = height;
    return SERIES.flatMap(({ status, colour }) => {
      const count = bucket.byStatus[status];
      if (count === 0) return [];
      const barHeight = (count / most) * (height - 10);
      y -= barHeight;
      const title = `${new Date(bucket.startMs).toISOString().slice(11, 16)} UTC: ${count} ${status}`;
      return [
        `<rect x="${(index * barWidth + 0.5).toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(1, barWidth - 1).toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${colour}" data-status="${status}"><title>${h(title)}</title></rect>`,
      ];
    });
  });
  const total = buckets.reduce((sum, bucket) => sum + bucket.received, 0);
  const legend = SERIES.map(
    (
      { status, colour }, // An SVG swatch, not a style attribute: the console's CSP allows no inline style.
    ) =>
      `<li><svg class="swatch" width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${colour}"/></svg>${h(status)}</li>`,
  ).join("");
  return `<figure>
<svg id="received-chart" role="img" aria-label="${total} events received, one bar per ${h(bucketName)}, coloured by their status now; the busiest bar holds ${most}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="none">
<line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#888"/>
${bars.join("\n")}
</svg>
<figcaption>Events received per ${h(bucketName)} from ${h(clock(buckets[0]?.startMs))} to ${h(clock(untilMs))} UTC, by their status now. Duplicates are not events: the
gateway's counts below have them.</figcaption>
<ul class="legend">${legend}</ul>
</figure>`;
}

/** The gateway's metric counts on the overview: read from where, or why not. */
export type OverviewCounts =
  | { source: string; window: MetricWindow; counts: GatewayCounts }
  | { problem: { error: string; message: string } };

// The metric series, each in a colour of its own (the event statuses' where they mean the same).
const METRIC_SERIES: { metric: GatewayMetric; label: string; colour: string }[] = [
  { metric: "Accepted", label: "accepted", colour: "#1f5fbf" },
  { metric: "Duplicate", label: "duplicates", colour: "#8a5cc2" },
  { metric: "Delivered", label: "delivered", colour: "#2e8b47" },
  { metric: "Failed", label: "failed", colour: "#d04545" },
  { metric: "Dead", label: "dead", colour: "#7a1010" },
  { metric: "Unrouted", label: "unrouted (accepted, sent nowhere)", colour: "#8a8f98" },
];

/** The gateway's counts per bucket as lines (inline SVG, described for screen readers), their totals and numbers. */
function gatewayCountsSection(counts: OverviewCounts | undefined, bucketName: string): string {
  if (counts === undefined) return "<p>This target keeps no metric counts.</p>";
  if ("problem" in counts) {
    return `<p id="gateway-counts-problem" class="error">Not read: ${h(counts.problem.message)} (<code>${h(counts.problem.error)}</code>)</p>`;
  }
  const starts = bucketStarts(counts.window);
  const width = 960;
  const height = 180;
  const most = Math.max(1, ...METRIC_SERIES.flatMap(({ metric }) => counts.counts[metric]));
  const step = width / starts.length;
  const x = (index: number) => (index * step + step / 2).toFixed(1);
  const y = (count: number) => (height - (count / most) * (height - 10)).toFixed(1);
  const totals = METRIC_SERIES.map(({ metric }) => counts.counts[metric].reduce((sum, count) => sum + count, 0));
  const lines = METRIC_SERIES.map(({ metric, label, colour }) => {
    const series = counts.counts[metric];
    const points = series.map((count, index) => `${x(index)},${y(count)}`).join(" ");
    const dots = series.flatMap((count, index) =>
      count === 0
        ? []
        : [
            `<circle cx="${x(index)}" cy="${y(count)}" r="3" fill="${colour}"><title>${h(clock(starts[index]))} UTC: ${count} ${label}</title></circle>`,
          ],
    );
    return `<g data-metric="${metric}"><polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"/>${dots.join("")}</g>`;
  });
  const summary = METRIC_SERIES.map(({ label }, index) => `${totals[index]} ${label}`).join(", ");
  const legend = METRIC_SERIES.map(
    ({ label, colour }) =>
      `<li><svg class="swatch" width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${colour}"/></svg>${h(label)}</li>`,
  ).join("");
  const rows = starts
    .map((start, index) => ({ start, values: METRIC_SERIES.map(({ metric }) => counts.counts[metric][index] ?? 0) }))
    .filter(({ values }) => values.some((value) => value > 0))
    .map(
      ({ start, values }) =>
        `<tr><td>${h(new Date(start).toISOString())}</td>${values.map((value) => `<td>${value}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const head = METRIC_SERIES.map(({ label }) => `<th scope="col">${h(label)}</th>`).join("");
  return `<table id="gateway-totals"><thead><tr>${head}</tr></thead>
<tbody><tr>${totals.map((total) => `<td>${total}</td>`).join("")}</tr></tbody></table>
<figure>
<svg id="gateway-chart" role="img" aria-label="${h(summary)}, one point per ${h(bucketName)}; the highest holds ${most}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="none">
<line x1="0" y1="${height}" x2="${width}" y2="${height}" stroke="#888"/>
${lines.join("\n")}
</svg>
<figcaption>What the gateway counted per ${h(bucketName)}, from ${h(counts.source)}: webhooks accepted and duplicates
(a provider's retry, or the same event sent twice: answered, not stored again), and how delivery jobs ended:
delivered, failed (refused for good) or dead (out of attempts); a replay's job counts again. Unrouted: accepted
events no destination's event filter took (counted among the accepted too).</figcaption>
<ul class="legend">${legend}</ul>
</figure>
<details><summary>The counts' numbers</summary>
<table id="gateway-table"><thead><tr><th scope="col">From</th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table>
</details>`;
}

/** Counts by status and destination, the chart of what was received, and the gateway's own counts. */
export function overviewPage(
  basePath: string,
  token: string,
  window: OverviewWindow,
  stats: EventStats,
  buckets: ReceivedBucket[],
  counts?: OverviewCounts,
): string {
  const windows = (Object.keys(OVERVIEW_WINDOWS) as OverviewWindow[])
    .map((name) =>
      name === window
        ? `<strong aria-current="page">last ${name}</strong>`
        : `<a href="${basePath}/overview?window=${name}">last ${name}</a>`,
    )
    .join(" · ");
  const statusCells = EVENT_STATUSES.map(
    (status) =>
      `<td data-status="${status}"><a href="${basePath}/events?status=${status}&amp;window=${window}">${stats.byStatus[status]}</a></td>`,
  ).join("");
  const destinationStatuses = ["PENDING", "DELIVERED", "FAILED", "DEAD"];
  const destinationRows = Object.entries(stats.byDestination)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([id, counts]) =>
        `<tr><th scope="row">${h(id)}</th>${destinationStatuses.map((status) => `<td>${counts[status] ?? 0}</td>`).join("")}</tr>`,
    )
    .join("\n");
  const dataRows = buckets
    .filter((bucket) => bucket.received > 0)
    .map(
      (bucket) =>
        `<tr><td>${h(new Date(bucket.startMs).toISOString())}</td><td>${bucket.received}</td>${SERIES.map(({ status }) => `<td>${bucket.byStatus[status]}</td>`).join("")}</tr>`,
    )
    .join("\n");
  return page(
    basePath,
    "Overview",
    token,
    `<h1>Overview</h1>
<p>${windows}: ${stats.events} event(s) received${stats.truncated ? ` (the newest ${stats.events}: there are more)` : ""}.</p>
<h2>By status</h2>
<table id="by-status"><thead><tr>${EVENT_STATUSES.map((status) => `<th scope="col">${status}</th>`).join("")}</tr></thead>
<tbody><tr>${statusCells}</tr></tbody></table>
<h2>By destination</h2>
<p>Their state, backlog and circuit breaker, and Pause and Resume: <a href="${basePath}/destinations">Destinations</a>.</p>
${
  destinationRows === ""
    ? "<p>No destination yet.</p>"
    : `<table id="by-destination"><thead><tr><th scope="col">Destination</th>${destinationStatuses.map((status) => `<th scope="col">${status}</th>`).join("")}</tr></thead>
<tbody>
${destinationRows}
</tbody></table>`
}
<h2>Received</h2>
${receivedChart(buckets, OVERVIEW_WINDOWS[window].bucket, Date.parse(stats.until))}
<details><summary>The chart's numbers</summary>
<table id="received-table"><thead><tr><th scope="col">From</th><th scope="col">Received</th>${SERIES.map(({ status }) => `<th scope="col">${status}</th>`).join("")}</tr></thead>
<tbody>
${dataRows}
</tbody></table>
</details>
<h2>Counted by the gateway</h2>
${gatewayCountsSection(counts, OVERVIEW_WINDOWS[window].bucket)}`,
  );
}

/** Bulk recover: the selection, its dry-run count, then the run's progress (console.js drives both). */
export function recoverPage(basePath: string, token: string): string {
  return page(
    basePath,
    "Recover",
    token,
    `<h1>Recover</h1>
<p>Replays every destination in a status that the selection finds, at a bounded rate, as <code>events recover</code>
does: each with the same Idempotency-Key, trigger <code>replay</code>, and the run's id (a run stopped half-way is
resumed with <code>npx oncegate events recover --resume &lt;runId&gt;</code>). <code>UNROUTED</code> sends the events
no destination's filter took to the destination named, as <code>events recover --status UNROUTED --destination</code>
does.</p>
<p class="hint" data-no-script>Recovering needs JavaScript (the requests carry the console's token in a header).</p>
<form id="recover" aria-label="Recover destinations">
${select("status", "Destinations in status", ["FAILED", "DEAD", "UNROUTED"], "FAILED")}
<label>Provider <input name="provider" placeholder="any"></label>
<label>Destination <input name="destination" placeholder="any (UNROUTED: where to send them)"></label>
<label>Type <input name="type" placeholder="any: invoice.*, pull_request"></label>
${select("window", "Received in the last", ["1d", "7d"], "7d")}
<label>Replays a second <input name="rate" type="number" min="1" max="100" step="1" value="10"></label>
<button type="button" data-recover-count disabled>Count (dry run)</button>
<button type="button" data-recover-start disabled>Recover</button>
</form>
<div role="status" aria-live="polite" id="action-result"></div>
<p><progress id="recover-progress" max="1" value="0" hidden aria-label="Recover progress"></progress></p>`,
  );
}
