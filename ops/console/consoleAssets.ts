/**
 * The console's script and style, served from memory (no CDN, no build step). The script only enhances the
 * server-rendered pages: it enables the Replay buttons, asks for confirmation, sends the action with the token in
 * its header, and refreshes the events table while "Live refresh" is ticked.
 */

import { DESTINATIONS_SCRIPT } from "./destinationsScript.ts";

export const CONSOLE_SCRIPT = `
const token = document.querySelector('meta[name="oncegate-token"]')?.content ?? "";
const base = new URL(document.querySelector('link[rel="stylesheet"]').href).pathname.replace(/\\/console\\.css$/, "");
for (const hint of document.querySelectorAll("[data-no-script]")) hint.hidden = true;

for (const button of document.querySelectorAll("button[data-replay]")) {
  if (button.hasAttribute("data-pending")) continue;
  button.disabled = false;
  button.addEventListener("click", async () => {
    const destination = button.dataset.replay;
    const [provider, ...rest] = button.dataset.event.split("/");
    const eventId = rest.join("/");
    const first = button.hasAttribute("data-first");
    const question = first
      ? "Send " + provider + "/" + eventId + " to " + destination + ", which it was never sent to?"
      : "Deliver " + provider + "/" + eventId + " to " + destination + " again, with the same Idempotency-Key?";
    if (!window.confirm(question)) return;
    const result = document.getElementById("action-result");
    button.disabled = true;
    const response = await fetch(base + "/api/events/" + encodeURIComponent(provider) + "/" + encodeURIComponent(eventId) + "/replay", {
      method: "POST",
      headers: { "content-type": "application/json", "x-oncegate-console-token": token },
      body: JSON.stringify({ destination }),
    });
    const body = await response.json();
    result.textContent = response.ok
      ? (first ? "Sent to " : "Replayed to ") + destination + ": " + body.replayed.map((r) => r.outcome).join(", ") + ". Reload to follow it."
      : "Not replayed: " + body.message + " (" + body.error + ")";
    result.className = response.ok ? "ok" : "error";
    button.disabled = false;
  });
}

const release = document.getElementById("release");
if (release) {
  const submit = release.querySelector("button[type=submit]");
  submit.disabled = false;
  release.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { key, table, scope } = release.dataset;
    const reason = release.elements.reason.value;
    const force = release.elements.force.checked;
    const minAgeSeconds = Number(release.elements.minAgeMinutes.value) * 60;
    if (!window.confirm("Release " + key + " so that its next delivery runs the handler again?")) return;
    const result = document.getElementById("action-result");
    submit.disabled = true;
    const response = await fetch(base + "/api/keys/release", {
      method: "POST",
      headers: { "content-type": "application/json", "x-oncegate-console-token": token },
      body: JSON.stringify({ key, table, scope, reason, force, minAgeSeconds }),
    });
    const body = await response.json();
    result.textContent = response.ok
      ? (body.outcome === "released" ? "Released " : "Already released: ") + key + ". Its next delivery runs the handler; replay the event to deliver it now."
      : "Not released: " + body.message + " (" + body.error + ")";
    result.className = response.ok ? "ok" : "error";
    submit.disabled = false;
  });
}

async function redrive(selection, question) {
  if (!window.confirm(question)) return;
  const result = document.getElementById("action-result");
  const response = await fetch(base + "/api/dead-letters/redrive", {
    method: "POST",
    headers: { "content-type": "application/json", "x-oncegate-console-token": token },
    body: JSON.stringify(selection),
  });
  const body = await response.json();
  result.textContent = response.ok
    ? "Redrive: " + body.matched + " matched, " + body.sent + " sent back, " + body.dropped + " dropped, " + body.failed + " failed. Reload to follow them."
    : "Not redriven: " + body.message + " (" + body.error + ")";
  result.className = response.ok && body.failed === 0 ? "ok" : "error";
}
for (const button of document.querySelectorAll("button[data-redrive-event]")) {
  button.disabled = false;
  button.addEventListener("click", () => {
    const event = button.dataset.redriveEvent;
    const destination = button.dataset.redriveDestination;
    return redrive({ event, destination }, "Send the dead job of " + event + " to " + destination + " back to the delivery queue?");
  });
}
const picks = [...document.querySelectorAll("input[data-redrive-pick]")];
const redriveSelected = document.querySelector("button[data-redrive-selected]");
if (redriveSelected) {
  const picked = () => picks.filter((pick) => pick.checked).map((pick) => pick.value);
  const update = () => {
    const count = picked().length;
    redriveSelected.disabled = count === 0;
    redriveSelected.textContent = count === 0 ? "Redrive the selected jobs" : "Redrive the " + count + " selected job(s)";
  };
  for (const pick of picks) pick.addEventListener("change", update);
  update();
  redriveSelected.addEventListener("click", () => {
    const messageIds = picked();
    return redrive({ messageIds }, "Send the " + messageIds.length + " selected dead job(s) back to the delivery queue?");
  });
}
const redriveAll = document.querySelector("button[data-redrive-all]");
if (redriveAll) {
  redriveAll.disabled = false;
  redriveAll.addEventListener("click", () => {
    const destination = redriveAll.dataset.redriveAll;
    return redrive(destination ? { destination } : {}, "Send all " + redriveAll.dataset.count + " dead job(s)" + (destination ? " of " + destination : "") + " back to the delivery queue?");
  });
}

const recover = document.getElementById("recover");
if (recover) {
  const countButton = recover.querySelector("[data-recover-count]");
  const startButton = recover.querySelector("[data-recover-start]");
  const result = document.getElementById("action-result");
  const progress = document.getElementById("recover-progress");
  const selection = () => {
    const form = recover.elements;
    const chosen = { status: form.status.value, window: form.window.value };
    if (form.provider.value.trim()) chosen.provider = form.provider.value.trim();
    if (form.destination.value.trim()) chosen.destination = form.destination.value.trim();
    if (form.type.value.trim()) chosen.type = form.type.value.trim();
    return chosen;
  };
  const post = async (path, body) => {
    const response = await fetch(base + path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-oncegate-console-token": token },
      body: JSON.stringify(body),
    });
    return { ok: response.ok, body: await response.json() };
  };
  let counted;
  countButton.disabled = false;
  recover.addEventListener("change", () => { startButton.disabled = true; startButton.textContent = "Recover"; });
  countButton.addEventListener("click", async () => {
    counted = selection();
    const { ok, body } = await post("/api/recover/count", counted);
    result.className = ok ? "ok" : "error";
    if (!ok) { result.textContent = "Not counted: " + body.message + " (" + body.error + ")"; return; }
    result.textContent = counted.status === "UNROUTED"
      ? body.count + " UNROUTED event(s) would be sent to " + counted.destination + " (dry run: nothing changed)."
      : body.count + " destination(s) would be replayed (dry run: nothing changed).";
    startButton.disabled = body.count === 0;
    startButton.textContent = "Recover " + body.count;
  });
  startButton.addEventListener("click", async () => {
    const rate = Number(recover.elements.rate.value);
    const how = counted.status === "UNROUTED"
      ? "Send " + startButton.textContent.replace("Recover ", "") + " UNROUTED event(s) to " + counted.destination
      : "Replay " + startButton.textContent.replace("Recover ", "") + " " + counted.status + " destination(s)";
    if (!window.confirm(how + ", " + rate + " a second?")) return;
    startButton.disabled = true;
    countButton.disabled = true;
    const { ok, body } = await post("/api/recover/start", { ...counted, rate });
    if (!ok) { result.className = "error"; result.textContent = "Not started: " + body.message + " (" + body.error + ")"; countButton.disabled = false; return; }
    progress.hidden = false;
    progress.max = Math.max(1, body.total);
    for (;;) {
      const response = await fetch(base + "/api/recover/runs/" + encodeURIComponent(body.runId));
      const run = await response.json();
      progress.value = run.done;
      result.className = "ok";
      result.textContent = "Run " + run.runId + ": " + run.done + " of " + run.total + " replayed so far.";
      if (run.summary) {
        const s = run.summary;
        result.className = s.failed === 0 ? "ok" : "error";
        result.textContent = "Run " + s.runId + " done: " + s.replayed + " replayed, " + s.pending + " pending, " + s.failed + " failed" + (s.errors.length ? " (" + s.errors.map((e) => e.event + ": " + e.error).join("; ") + ")" : "") + ".";
        break;
      }
      if (run.error) { result.className = "error"; result.textContent = "Run " + run.runId + " stopped: " + run.error.message; break; }
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    countButton.disabled = false;
  });
}

${DESTINATIONS_SCRIPT}
const live = document.querySelector("[data-live]");
if (live) {
  const region = document.querySelector("[data-refresh]");
  live.checked = new URL(location.href).searchParams.get("live") === "on";
  // A refresh that fails says why (AWS throttling, a timeout, the console stopped) and keeps the table it had.
  const status = document.getElementById("refresh-status");
  const failed = (why) => {
    status.textContent = "Not refreshed: " + why + " The table is as it was; trying again every 3 s.";
    status.className = "error";
  };
  setInterval(async () => {
    if (!live.checked) return;
    let response;
    try {
      response = await fetch(location.href);
    } catch {
      return failed("the console does not answer (is it still running?).");
    }
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      return failed((body.message ?? "the console answered " + response.status + ".") + " (" + (body.error ?? response.status) + ")");
    }
    const fresh = new DOMParser().parseFromString(await response.text(), "text/html").querySelector("[data-refresh]");
    if (fresh) region.innerHTML = fresh.innerHTML;
    status.textContent = "";
    status.className = "";
  }, 3000);
}
`;

export const CONSOLE_STYLE = `
:root { font-family: system-ui, sans-serif; line-height: 1.4; color: #1b1b1f; background: #fff; }
body { margin: 0; }
header { background: #1b1b1f; padding: 0.5rem 1rem; }
header a { color: #fff; font-weight: 600; }
main { padding: 1rem; max-width: 80rem; }
.skip { position: absolute; left: -100vw; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: 0.5rem; }
:focus-visible { outline: 3px solid #1a5fd0; outline-offset: 2px; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
thead th { overflow-wrap: normal; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
.pager { display: flex; gap: 1.5rem; margin: 1rem 0; }
#refresh-status:empty { margin: 0; }
.filter { display: flex; flex-wrap: wrap; gap: 0.75rem; align-items: end; margin-bottom: 1rem; }
.filter label { display: flex; flex-direction: column; font-size: 0.9rem; }
.filter .live { flex-direction: row; gap: 0.25rem; align-items: center; }
button { font: inherit; padding: 0.3rem 0.8rem; border: 1px solid #1b1b1f; border-radius: 4px; background: #f2f2f5; cursor: pointer; }
button:disabled { opacity: 0.55; cursor: not-allowed; }
.status { font-weight: 600; padding: 0 0.3rem; border-radius: 3px; }
.status-delivered, .status-completed { background: #d9f2dd; color: #0b5a1c; }
.status-released { background: #dde7fb; color: #123f8c; }
.status-unrouted { background: #e6e8eb; color: #3b4048; }
.status-failed, .status-dead { background: #fbdada; color: #8a1010; }
.status-queued, .status-received, .status-pending, .status-in_progress { background: #fdf0c8; color: #6a4a00; }
.status-active { background: #d9f2dd; color: #0b5a1c; }
.status-paused { background: #fdf0c8; color: #6a4a00; }
.status-open { background: #fbdada; color: #8a1010; }
form.pause { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: end; }
form.pause label { margin: 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
.facts dt { font-weight: 600; }
.json-key { color: #1a4f9c; } .json-string { color: #0b5a1c; } .json-number { color: #8a3b00; } .json-literal { color: #6a1b9a; }
pre { background: #f5f5f7; padding: 0.75rem; overflow: auto; max-height: 30rem; }
.error { color: #8a1010; }
.legend { display: flex; gap: 1rem; list-style: none; padding: 0; }
.swatch { margin-right: 0.3rem; vertical-align: middle; }
figure { margin: 0; }
label { display: block; margin: 0.4rem 0; }
textarea, input { font: inherit; }
#action-result.ok { color: #0b5a1c; } #action-result.error { color: #8a1010; }
`;

/** Served so that a browser's icon request is answered (it would be refused without the cookie's path). */
export const CONSOLE_ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#1b1b1f"/><path d="M5 8.5l2 2 4-5" stroke="#fff" stroke-width="2" fill="none"/></svg>`;
