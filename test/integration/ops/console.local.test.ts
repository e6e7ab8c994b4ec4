import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { Browser, Page } from "playwright-core";
import { idempotencyKeyFor } from "../../../lambdas/shared/eventKey.ts";
import { destinationIdFor } from "../../../local/localConfig.ts";
import { type ScriptProcess, spawnScript, waitForReadyLine } from "../../../local/scriptProcess.ts";
import { fetchEvent, fetchStats } from "../../../local/stackClient.ts";
import { launchChromium, screenshot } from "../../support/browser.ts";
import { removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { sendStripeWebhook } from "../../support/operatorCli.ts";
import { type ScriptedConsumer, startScriptedConsumer } from "../../support/scriptedConsumer.ts";

/**
 * The operator console (`oncegate console --local <url>`, started as a user starts it) against a real local stack,
 * in headless Chromium. A second destination (a scripted server) refuses `evt_bad*` events with 400 until it is
 * "fixed": FAILED at once, then replayed from the event's page.
 */
const ENTRY = new URL("../../../ops/cli/oncegate.ts", import.meta.url).pathname;
let stack: StackProcess;
let consumer: ScriptedConsumer;
let flaky: string;
let badFixed = false;
/** Until set, it refuses `evt_rec*` events too: the ones the Recover page replays in bulk. */
let recoverFixed = false;
/** Until set, it answers 503 to `evt_dlqc*` events: their jobs die (schedule 1,1) and wait in the dead-letter queue. */
let deadFixed = false;
let cli: ScriptProcess;
let consoleUrl: string;
let baseUrl: string;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  consumer = await startScriptedConsumer();
  consumer.script((request, response) => {
    const eventId = request.headers["oncegate-event-id"] ?? "";
    const refused = (eventId.startsWith("evt_bad") && !badFixed) || (eventId.startsWith("evt_rec") && !recoverFixed);
    if (eventId.startsWith("evt_dlqc") && !deadFixed) {
      response.writeHead(503).end('{"error":"maintenance"}');
      return;
    }
    response.writeHead(refused ? 400 : 200).end(refused ? '{"error":"amount_missing"}' : "");
  });
  flaky = destinationIdFor(consumer.url);
  stack = await startStack({
    env: {
      ONCEGATE_RETRY_SCHEDULE: "1,1",
      ONCEGATE_DESTINATIONS: `demo,${consumer.url}`,
      // The demo handler throws on this event's first run (a handler bug): FAILED until released and replayed.
      ONCEGATE_DEMO_CONSUMER_FAIL: "evt_fails_console",
    },
  });
  cli = spawnScript(ENTRY, ["console", "--local", stack.baseUrl]);
  await waitForReadyLine(cli, "Oncegate console for", "oncegate console", 20_000);
  consoleUrl = /(http:\/\/127\.0\.0\.1:\d+\/console\?token=[\w-]+)/.exec(cli.stdout())?.[1] ?? "";
  baseUrl = consoleUrl.replace(/\?token=.*$/, "");
  browser = await launchChromium();
  page = await browser.newPage();
  // Anything the page's own script or the CSP complains about is a defect of the console.
  page.on("console", (message) => {
    // The one refusal a test asks for: a key lookup that finds nothing is answered 404.
    const expected = message.location().url.includes("/keys?key=whk_nothing");
    if (message.type() === "error" && !expected) pageErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await cli?.stop();
  await stack?.stop();
  if (stack) await removeDataDir(stack.dataDir);
  await consumer?.close();
});

/** The console's cookie the page holds, as a `Cookie` header for a request made outside it. */
async function cookieOf(of: Page): Promise<string> {
  return (await of.context().cookies()).map((cookie) => `${cookie.name}=${cookie.value}`).join("; ");
}

async function waitForStatus(eventId: string, status: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await fetchEvent(stack.baseUrl, "stripe", eventId))?.status !== status) {
    if (Date.now() > deadline) throw new Error(`${eventId} never became ${status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("the console's token", () => {
  test("the CLI prints a URL on 127.0.0.1 with a 43-character random token", () => {
    expect(consoleUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/console\?token=[\w-]{43}$/);
  });

  test("a page without it, or with another, is refused 401 with a JSON error code", async () => {
    for (const url of [`${baseUrl}/events`, `${baseUrl}?token=${"x".repeat(43)}`, `${baseUrl}/console.js`]) {
      const response = await fetch(url, { redirect: "manual" });
      expect({ url, status: response.status }).toEqual({ url, status: 401 });
      expect(await response.json()).toMatchObject({ error: "console_token_required" });
    }
  });

  test("the URL signs in one browser once: the address loses it, another browser is refused, the first let through", async () => {
    await page.goto(consoleUrl);
    expect(new URL(page.url()).pathname).toBe("/console/events");
    expect(page.url()).not.toContain("token="); // gone from the address bar and the history
    const other = await browser.newContext();
    try {
      const refused = await (await other.newPage()).goto(consoleUrl);
      expect(refused?.status()).toBe(401);
      expect(await refused?.json()).toMatchObject({ error: "console_token_spent" });
    } finally {
      await other.close();
    }
    // The browser that signed in may follow the URL again (a bookmark, a second tab): no new session.
    const before = await cookieOf(page);
    await page.goto(consoleUrl);
    expect(new URL(page.url()).pathname).toBe("/console/events");
    expect(await cookieOf(page)).toBe(before);
    // Outside any browser the spent token opens nothing either.
    const response = await fetch(consoleUrl, { redirect: "manual" });
    expect(response.status).toBe(401);
  });

  test("an action with the cookie but not the header is refused 403, and changes nothing", async () => {
    const cookie = await cookieOf(page);
    expect((await page.context().cookies())[0]).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/console" });
    for (const header of [{}, { "x-oncegate-console-token": consoleUrl.replace(/^.*token=/, "") }]) {
      const response = await fetch(`${baseUrl}/api/events/stripe/evt_nothing/replay`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", ...header },
        body: "{}",
      });
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: "console_token_header_required" });
    }
  });
});

describe("in a browser", () => {
  test("the events list shows a delivered event DELIVERED", async () => {
    expect(await sendStripeWebhook(stack.baseUrl, "evt_console_ok")).toBe(202);
    await waitForStatus("evt_console_ok", "DELIVERED");
    await page.goto(`${baseUrl}/events`);
    const row = page.getByRole("row", { name: /evt_console_ok/ });
    await expect(row.getByText("DELIVERED").first().isVisible()).resolves.toBe(true);
    await screenshot(page, "console-events");
  });

  test("a refused destination shows FAILED with its attempt; fixed, Replay delivers it again with the same key", async () => {
    expect(await sendStripeWebhook(stack.baseUrl, "evt_bad_console")).toBe(202);
    await waitForStatus("evt_bad_console", "FAILED");
    await page.goto(`${baseUrl}/events?status=FAILED`);
    await page.getByRole("link", { name: "evt_bad_console" }).click();
    await page.waitForURL(/\/console\/events\/stripe\/evt_bad_console$/);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("FAILED");
    const attempts = page.locator("#attempts tbody tr");
    await expect(attempts.filter({ hasText: flaky }).filter({ hasText: "400" }).count()).resolves.toBe(1);
    const headers = await page.locator("#headers").textContent();
    expect(headers).toContain("content-type");
    expect(headers).not.toMatch(/signature/i);
    await screenshot(page, "console-event-failed");

    badFixed = true;
    const before = consumer.requests.filter((r) => r.headers["oncegate-event-id"] === "evt_bad_console").length;
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: `Replay to ${flaky}` }).click();
    await expect(page.getByRole("status").filter({ hasText: "Replayed to" }).textContent()).resolves.toContain(
      "replayed",
    );
    await waitForStatus("evt_bad_console", "DELIVERED");
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("DELIVERED");
    await expect(attempts.filter({ hasText: "replay" }).count()).resolves.toBe(1);
    await screenshot(page, "console-event-replayed");

    const deliveries = consumer.requests.filter((r) => r.headers["oncegate-event-id"] === "evt_bad_console");
    expect(deliveries.length).toBe(before + 1);
    const keys = new Set(deliveries.map((r) => r.headers["idempotency-key"]));
    expect([...keys]).toEqual([idempotencyKeyFor("stripe", "evt_bad_console")]);
  });

  test("npm start serves it too, at /console on the stack's port, with a token of its own", async () => {
    const printed = /console: (http:\/\/127\.0\.0\.1:\d+\/console\?token=[\w-]{43})/.exec(
      stack.stdout() + stack.stderr(),
    );
    expect(printed?.[1]).toContain(`${stack.baseUrl}/console?token=`);
    const other = await browser.newPage();
    try {
      expect((await other.goto(`${stack.baseUrl}/console/events`))?.status()).toBe(401);
      await other.goto(printed?.[1] ?? "");
      expect(new URL(other.url()).pathname).toBe("/console/events");
      await expect(other.getByRole("link", { name: "evt_console_ok" }).count()).resolves.toBe(1);
      await screenshot(other, "console-on-npm-start");
    } finally {
      await other.close();
    }
  });

  test("a replay the operator does not confirm sends nothing", async () => {
    const before = consumer.requests.length;
    page.once("dialog", (dialog) => void dialog.dismiss());
    await page.getByRole("button", { name: `Replay to ${flaky}` }).click();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(consumer.requests.length).toBe(before);
    expect(await page.getByRole("status").textContent()).toBe("");
  });

  test("a failed handler: its key released with a reason, then replayed, runs once more and only once", async () => {
    expect(await sendStripeWebhook(stack.baseUrl, "evt_fails_console")).toBe(202);
    const demoStatus = async () => (await fetchEvent(stack.baseUrl, "stripe", "evt_fails_console"))?.destinations.demo;
    const deadline = Date.now() + 30_000;
    while ((await demoStatus())?.status !== "FAILED") {
      if (Date.now() > deadline) throw new Error("the demo destination never FAILED");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const before = await fetchStats(stack.baseUrl);
    const key = idempotencyKeyFor("stripe", "evt_fails_console");

    await page.goto(`${baseUrl}/events/stripe/evt_fails_console`);
    await page.getByRole("link", { name: "its record in a consumer's table" }).click();
    await page.waitForURL(/\/console\/keys\?key=/);
    await expect(page.getByRole("heading", { name: /Record/ }).textContent()).resolves.toContain("FAILED");
    await expect(page.locator("#key-record").textContent()).resolves.toContain("DemoHandlerError");
    await screenshot(page, "console-key-failed");

    await page.getByLabel("Reason (kept in the audit)").fill("fixed the handler");
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: `Release ${key}` }).click();
    await expect(page.getByRole("status").filter({ hasText: "Released" }).textContent()).resolves.toContain(key);
    await page.reload();
    await expect(page.getByRole("heading", { name: /Record/ }).textContent()).resolves.toContain("RELEASED");
    const audit = page.locator("#audit tbody tr");
    await expect(audit.count()).resolves.toBe(1);
    await expect(audit.textContent()).resolves.toMatch(/local-operator.*FAILED.*no.*fixed the handler/);
    await screenshot(page, "console-key-released");

    // Two replays from the event's page: the first runs the handler, the second gets its stored answer.
    for (let replay = 1; replay <= 2; replay++) {
      const attempts = (await demoStatus())?.attempts ?? 0;
      await page.goto(`${baseUrl}/events/stripe/evt_fails_console`);
      page.once("dialog", (dialog) => void dialog.accept());
      await page.getByRole("button", { name: "Replay to demo" }).click();
      // Waits for the action's answer (count() would not).
      await page.getByRole("status").filter({ hasText: "Replayed to demo: replayed" }).waitFor();
      const until = Date.now() + 30_000;
      for (;;) {
        const demo = await demoStatus();
        if (demo?.status === "DELIVERED" && demo.attempts === attempts + 1) break;
        if (Date.now() > until) throw new Error(`replay ${replay} never delivered: ${JSON.stringify(demo)}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const after = await fetchStats(stack.baseUrl);
    expect(after.handlerRuns - before.handlerRuns).toBe(1);
    expect(after.charges - before.charges).toBe(1);
    await page.reload();
    await screenshot(page, "console-event-recovered");
  });

  test("a key lookup that finds nothing says so on the page, with its code", async () => {
    const response = await page.goto(`${baseUrl}/keys?key=whk_nothing`);
    expect(response?.status()).toBe(404);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("no_such_key");
  });

  test("Recover counts the FAILED destinations of a selection (dry run), then replays them all, with progress", async () => {
    for (const id of ["evt_rec_1", "evt_rec_2"]) expect(await sendStripeWebhook(stack.baseUrl, id)).toBe(202);
    for (const id of ["evt_rec_1", "evt_rec_2"]) await waitForStatus(id, "FAILED");
    await page.goto(`${baseUrl}/recover`);
    await page.getByLabel("Destination", { exact: true }).fill(flaky);
    await page.getByRole("button", { name: "Count (dry run)" }).click();
    await page.getByRole("status").filter({ hasText: "would be replayed" }).waitFor();
    await expect(page.getByRole("status").textContent()).resolves.toBe(
      "2 destination(s) would be replayed (dry run: nothing changed).",
    );
    const before = consumer.requests.length;
    expect(before).toBeGreaterThan(0);
    recoverFixed = true;
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Recover 2" }).click();
    await page.getByRole("status").filter({ hasText: "done: 2 replayed, 0 pending, 0 failed." }).waitFor();
    await expect(page.locator("#recover-progress").getAttribute("value")).resolves.toBe("2");
    await screenshot(page, "console-recover");
    for (const id of ["evt_rec_1", "evt_rec_2"]) {
      await waitForStatus(id, "DELIVERED");
      // What the destination was sent: the first POST, then the recover's replay (Oncegate-Attempt-Trigger).
      const triggers = consumer.requests
        .filter((request) => request.headers["oncegate-event-id"] === id)
        .map((request) => request.headers["oncegate-attempt-trigger"]);
      expect(triggers).toEqual(["initial", "replay"]);
    }
  });

  test("Find takes an Idempotency-Key or a provider and an event id, as events show does, and opens the event", async () => {
    await page.goto(`${baseUrl}/events`);
    await page.getByLabel("Event id or Idempotency-Key").fill(idempotencyKeyFor("stripe", "evt_console_ok"));
    await page.getByRole("button", { name: "Find" }).click();
    await page.waitForURL(/\/console\/events\/stripe\/evt_console_ok$/);
    await page.goto(`${baseUrl}/events`);
    await page.getByLabel("Event id or Idempotency-Key").fill("stripe evt_bad_console");
    await page.getByLabel("Event id or Idempotency-Key").press("Enter");
    await page.waitForURL(/\/console\/events\/stripe\/evt_bad_console$/);
    const missing = await fetch(`${baseUrl}/find?q=stripe%20evt_never`, { headers: { cookie: await cookieOf(page) } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "no_such_event" });
  });

  test("the payload is shown on demand, indented and highlighted, the bytes the provider signed", async () => {
    await page.goto(`${baseUrl}/events/stripe/evt_console_ok`);
    await page.getByRole("link", { name: "Show the payload" }).click();
    await page.waitForURL(/payload=1/);
    const shown = JSON.parse((await page.locator("#payload").textContent()) ?? "");
    expect(shown).toMatchObject({ id: "evt_console_ok" });
    expect(await page.locator("#payload .json-key").count()).toBeGreaterThan(0);
    await screenshot(page, "console-payload");
  });

  test("works from the keyboard with a visible focus, and reads at 200 % zoom without scrolling sideways", async () => {
    await page.goto(`${baseUrl}/events/stripe/evt_bad_console`);
    // Tab from the top: the skip link first, then the navigation, … until the first Replay button.
    await page.keyboard.press("Tab");
    expect(await page.evaluate<string | undefined>("document.activeElement?.textContent")).toBe("Skip to content");
    let focused = "";
    for (let presses = 0; presses < 30 && !focused.startsWith("Replay to"); presses++) {
      await page.keyboard.press("Tab");
      focused = (await page.evaluate<string | undefined>("document.activeElement?.textContent")) ?? "";
    }
    expect(focused).toBe("Replay to demo");
    const outline = await page.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle");
    expect(outline).not.toBe("none");
    await screenshot(page, "console-keyboard-focus");
    // The same pages in a window half as wide: what 200 % zoom gives a 1280-pixel screen.
    await page.setViewportSize({ width: 640, height: 900 });
    for (const path of [
      "/overview",
      "/events",
      "/events/stripe/evt_bad_console",
      "/recover",
      "/dead-letters",
      "/keys",
    ]) {
      await page.goto(`${baseUrl}${path}`);
      const overflow = await page.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
      expect({ path, overflow }).toEqual({ path, overflow: 0 });
    }
    await page.goto(`${baseUrl}/events/stripe/evt_bad_console`);
    await screenshot(page, "console-event-zoom-200");
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  test("the overview counts the events by status and destination and charts what was received", async () => {
    // The provider sends evt_console_ok again: answered as a duplicate, not an event, and counted as one.
    expect(await sendStripeWebhook(stack.baseUrl, "evt_console_ok")).toBe(200);
    await page.goto(`${baseUrl}/overview`);
    const byStatus = await page.locator("#by-status tbody td").allTextContents();
    // RECEIVED, UNROUTED, QUEUED, DELIVERED, FAILED, DEAD: every event of this file was delivered in the end.
    expect(byStatus).toEqual(["0", "0", "0", "5", "0", "0"]);
    const demo = await page.getByRole("row", { name: /^demo/ }).locator("td").allTextContents();
    expect(demo).toEqual(["0", "5", "0", "0"]);
    const bars = page.locator("#received-chart rect[data-status=DELIVERED]");
    expect(await bars.count()).toBeGreaterThan(0);
    await page.getByText("The chart's numbers").click();
    const received = await page.locator("#received-table tbody tr td:nth-child(2)").allTextContents();
    expect(received.reduce((sum, count) => sum + Number(count), 0)).toBe(5);
    // What the gateway counted (the local stack's per-minute counters, written once a second): the five events
    // accepted, the one duplicate, every delivery to both destinations, the refused one FAILED.
    const totals = async () => {
      await page.reload();
      return page.locator("#gateway-totals tbody td").allTextContents();
    };
    let counted = await totals();
    for (let tries = 0; counted[1] !== "1" && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      counted = await totals();
    }
    const [accepted, duplicates, delivered, failed] = counted.map(Number);
    expect({ accepted, duplicates }).toEqual({ accepted: 5, duplicates: 1 });
    expect(delivered).toBeGreaterThanOrEqual(10);
    expect(failed).toBeGreaterThanOrEqual(1);
    expect(await page.locator("#gateway-chart g[data-metric=Duplicate] circle").count()).toBe(1);
    await screenshot(page, "console-overview");
    await page.getByRole("link", { name: "last 1d" }).click();
    await page.waitForURL(/window=1d/);
    await expect(page.locator("#by-status td[data-status=DELIVERED]").textContent()).resolves.toBe("5");
  });

  test("pages of 2 list every event once: Older events to the last page, Newest events back to the first", async () => {
    await page.goto(`${baseUrl}/events`);
    const all = await page.locator("#events tbody tr td:nth-child(3)").allTextContents();
    expect(all.length).toBe(5);
    await page.goto(`${baseUrl}/events?limit=2`);
    const paged: string[] = [];
    for (let pages = 1; ; pages++) {
      paged.push(...(await page.locator("#events tbody tr td:nth-child(3)").allTextContents()));
      const older = page.getByRole("link", { name: "Older events" });
      if ((await older.count()) === 0) break;
      if (pages === 2) await screenshot(page, "console-events-paged");
      await older.click();
      await page.waitForURL(/after=/);
      expect(pages).toBeLessThan(5);
    }
    expect(paged).toEqual(all);
    // The last page links back to the first, its page size kept.
    await page.getByRole("link", { name: "Newest events" }).click();
    await page.waitForURL((url) => !url.search.includes("after=") && url.search.includes("limit=2"));
    await expect(page.locator("#events tbody tr td:nth-child(3)").allTextContents()).resolves.toEqual(all.slice(0, 2));
    for (const [query, error] of [
      ["after=not-a-cursor", "invalid_cursor"],
      ["limit=0", "invalid_limit"],
      ["limit=201", "invalid_limit"],
    ]) {
      const response = await fetch(`${baseUrl}/events?${query}`, { headers: { cookie: await cookieOf(page) } });
      expect({ query, status: response.status, body: await response.json() }).toMatchObject({
        query,
        status: 400,
        body: { error },
      });
    }
  });

  test("Dead letters redrives the jobs picked by hand, and only those; Redrive all the rest", async () => {
    const dying = ["evt_dlqc_1", "evt_dlqc_2", "evt_dlqc_3"];
    for (const id of dying) expect(await sendStripeWebhook(stack.baseUrl, id)).toBe(202);
    for (const id of dying) await waitForStatus(id, "DEAD", 60_000);
    const deadline = Date.now() + 60_000;
    while ((await fetchStats(stack.baseUrl)).dlq < dying.length) {
      if (Date.now() > deadline) throw new Error("the dead jobs never reached the dead-letter queue");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    deadFixed = true;
    await page.goto(`${baseUrl}/dead-letters`);
    const picked = page.getByRole("button", { name: /^Redrive the .*selected/ });
    await expect(picked.isDisabled()).resolves.toBe(true); // nothing picked yet
    await page.getByRole("checkbox", { name: `Select evt_dlqc_1 to ${flaky}` }).check();
    await page.getByRole("checkbox", { name: `Select evt_dlqc_3 to ${flaky}` }).check();
    await expect(picked.textContent()).resolves.toBe("Redrive the 2 selected job(s)");
    await screenshot(page, "console-dead-letters-picked");
    const before = consumer.requests.length;
    page.once("dialog", (dialog) => void dialog.accept());
    await picked.click();
    await expect(page.getByRole("status").filter({ hasText: "Redrive:" }).textContent()).resolves.toBe(
      "Redrive: 2 matched, 2 sent back, 0 dropped, 0 failed. Reload to follow them.",
    );
    await waitForStatus("evt_dlqc_1", "DELIVERED");
    await waitForStatus("evt_dlqc_3", "DELIVERED");
    const sent = consumer.requests.slice(before).map((request) => request.headers["oncegate-event-id"]);
    expect(sent.sort()).toEqual(["evt_dlqc_1", "evt_dlqc_3"]);
    expect((await fetchEvent(stack.baseUrl, "stripe", "evt_dlqc_2"))?.status).toBe("DEAD");
    await page.reload();
    await expect(page.locator("#dead-letters tbody tr").allTextContents()).resolves.toEqual([
      expect.stringContaining("evt_dlqc_2"),
    ]);
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Redrive all 1" }).click();
    await page.getByRole("status").filter({ hasText: "1 sent back" }).waitFor();
    await waitForStatus("evt_dlqc_2", "DELIVERED");
  });

  test("no page logged an error or a CSP violation", () => {
    expect(pageErrors).toEqual([]);
  });
});
