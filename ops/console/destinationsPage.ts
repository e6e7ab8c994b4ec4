import { type DestinationView, pollersMismatch } from "../destinations/destinationView.ts";
import { escapeHtml, page } from "./consolePages.ts";

/**
 * The Destinations page: `destinations list` as a table, each destination with its state badge and its Pause (with
 * an optional reason) or Resume action, and their latest changes. Pure; every stored value (an id, an operator's
 * reason and identity, a failure's reason) is escaped here.
 */

const h = (value: unknown) => escapeHtml(String(value ?? ""));

function time(ms: number | undefined): string {
  if (ms === undefined) return "—";
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${h(iso.replace("T", " ").replace(/\.\d+Z$/, "Z"))}</time>`;
}

const stateBadge = (view: DestinationView) =>
  `<span class="status status-${h(view.state)}" data-state="${h(view.state)}">${h(view.state)}</span>`;

/** Under the badge: who paused and why, when the probe is, and a mapping that disagrees with the pause. */
function stateNotes(view: DestinationView): string {
  const notes: string[] = [];
  if (view.state === "paused") {
    const by = view.pausedBy === undefined ? "" : ` by ${h(view.pausedBy)}`;
    const why = view.pauseReason === undefined ? "" : `: <q>${h(view.pauseReason)}</q>`;
    notes.push(`since ${time(view.pausedAtMs)}${by}${why}`);
  }
  if (view.state === "open") notes.push(`opened ${time(view.openedAtMs)}, next probe ${time(view.probeAtMs)}`);
  const mismatch = pollersMismatch(view);
  if (mismatch !== undefined) {
    const text =
      mismatch === "receiving_while_paused"
        ? `its event source mapping is ${h(view.eventSourceState)}: its jobs are received and held; pause it again`
        : `its event source mapping is ${h(view.eventSourceState)}: nothing receives its jobs; resume it`;
    notes.push(`<span class="error">${text}</span>`);
  }
  return notes.map((note) => `<br><small>${note}</small>`).join("");
}

function action(view: DestinationView): string {
  const id = h(view.id);
  if (view.state === "paused") {
    return `<button type="button" data-resume="${id}" disabled>Resume ${id}</button>`;
  }
  return `<form class="pause" data-pause="${id}" aria-label="Pause ${id}">
<label>Reason <input name="reason" maxlength="200" placeholder="optional"></label>
<button type="submit" disabled>Pause ${id}</button>
</form>`;
}

function failure(view: DestinationView): string {
  if (view.lastFailureAtMs === undefined) return "—";
  return `${time(view.lastFailureAtMs)}${view.lastFailureReason === undefined ? "" : ` <code>${h(view.lastFailureReason)}</code>`}`;
}

/** The changes of every destination, newest first: a pause and its resume, a circuit opened, probed and closed. */
function historyTable(views: DestinationView[]): string {
  const changes = views
    .flatMap((view) => view.history.map((change, index) => ({ id: view.id, index, ...change })))
    // Two changes of one millisecond: the later in the history is the newer.
    .sort((a, b) => b.atMs - a.atMs || b.index - a.index);
  if (changes.length === 0)
    return `<p id="destination-history-empty">No destination was paused, and no circuit opened, yet.</p>`;
  const rows = changes.map(
    (change) =>
      `<tr><td>${time(change.atMs)}</td><td>${h(change.id)}</td><td>${h(change.change)}</td><td>${h(change.reason ?? "")}</td><td>${h(change.by ?? "")}</td></tr>`,
  );
  return `<table id="destination-history">
<caption>${changes.length} change(s), newest first (each destination keeps its last 20)</caption>
<thead><tr><th scope="col">At</th><th scope="col">Destination</th><th scope="col">Change</th><th scope="col">Reason</th><th scope="col">By</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

export function destinationsPage(basePath: string, token: string, views: DestinationView[]): string {
  const rows = views.map(
    (view) => `<tr data-destination="${h(view.id)}">
<th scope="row">${h(view.id)}</th>
<td>${stateBadge(view)}${stateNotes(view)}</td>
<td>${view.backlog}</td>
<td>${view.inFlight}</td>
<td>${view.consecutiveFailures}</td>
<td>${time(view.lastSuccessAtMs)}</td>
<td>${failure(view)}</td>
<td>${action(view)}</td>
</tr>`,
  );
  const table =
    views.length === 0
      ? `<p id="destinations-empty">This gateway has no destination.</p>`
      : `<table id="destinations">
<thead><tr><th scope="col">Destination</th><th scope="col">State</th><th scope="col">Backlog</th><th scope="col">In flight</th><th scope="col">Failures in a row</th><th scope="col">Last success</th><th scope="col">Last failure</th><th scope="col">Action</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
  return page(
    basePath,
    "Destinations",
    token,
    `<h1>Destinations</h1>
<p><strong>active</strong>: its jobs are attempted. <strong>paused</strong>: an operator paused it; its jobs wait in
its queue and no attempt is made or consumed until it is resumed (on AWS, for at most the queue's 14-day retention).
<strong>open</strong>: its circuit breaker opened after failures in a row; its jobs wait for the next probe, and a
probe that succeeds closes it. Backlog: jobs waiting in its queue; in flight: jobs received, being delivered or
hidden until their next attempt. A last success is recorded only when it ends a run of failures (— otherwise).</p>
<p class="hint" data-no-script>Pausing and resuming need JavaScript (the request carries the console's token in a header).</p>
<div role="status" aria-live="polite" id="action-result"></div>
<div data-destinations>
${table}
<h2>Changes</h2>
${historyTable(views)}
</div>`,
  );
}
