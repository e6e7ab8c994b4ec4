/**
 * The Destinations page's part of console.js (it runs in the same module, after `token` and `base` are set): Pause
 * (with its reason) and Resume ask for confirmation, POST with the token header, say what happened, and reload the
 * table in place (the new buttons are enabled again: the page renders them disabled for a browser without script).
 */
export const DESTINATIONS_SCRIPT = `
const destinationsRegion = document.querySelector("[data-destinations]");
if (destinationsRegion) {
  const result = document.getElementById("action-result");
  const enableDestinationActions = () => {
    for (const button of destinationsRegion.querySelectorAll("[data-resume], form[data-pause] button")) button.disabled = false;
  };
  enableDestinationActions();
  const controlDestination = async (id, verb, body) => {
    const failed = (why) => {
      result.className = "error";
      result.textContent = (verb === "pause" ? "Not paused: " : "Not resumed: ") + why;
      enableDestinationActions();
    };
    let response;
    try {
      response = await fetch(base + "/api/destinations/" + encodeURIComponent(id) + "/" + verb, {
        method: "POST",
        headers: { "content-type": "application/json", "x-oncegate-console-token": token },
        body: JSON.stringify(body),
      });
    } catch {
      return failed("the console does not answer (is it still running?).");
    }
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) return failed(answer.message + " (" + answer.error + ")");
    const unmanaged = answer.pollers.kind === "not_managed" && verb === "pause"
      ? " This stack names no event source mapping (redeploy it): its pollers keep receiving, and the delivery holds each job 15 s, a receive each."
      : "";
    result.className = "ok";
    result.textContent = verb === "pause"
      ? (answer.changed ? "Paused " + id + ": its jobs wait in its queue; no attempt is made until it is resumed." : id + " was already paused: nothing changed.") + unmanaged
      : answer.changed ? "Resumed " + id + ": its jobs are attempted again." : id + " was not paused: nothing changed.";
    // The table as it is now (the badge, the other action); kept as it was when the page cannot be read.
    const fresh = await fetch(location.href).catch(() => undefined);
    if (fresh?.ok) {
      const region = new DOMParser().parseFromString(await fresh.text(), "text/html").querySelector("[data-destinations]");
      if (region) destinationsRegion.innerHTML = region.innerHTML;
    }
    enableDestinationActions();
  };
  destinationsRegion.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-pause]");
    if (!form) return;
    event.preventDefault();
    const id = form.dataset.pause;
    const reason = form.elements.reason.value.trim();
    if (!window.confirm("Pause " + id + "? Its jobs wait in its queue and no attempt is made until it is resumed.")) return;
    form.querySelector("button").disabled = true;
    return controlDestination(id, "pause", reason ? { reason } : {});
  });
  destinationsRegion.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-resume]");
    if (!button) return;
    const id = button.dataset.resume;
    if (!window.confirm("Resume " + id + "? Its waiting jobs are delivered.")) return;
    button.disabled = true;
    return controlDestination(id, "resume", {});
  });
}
`;
