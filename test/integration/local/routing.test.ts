import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { Browser, Page } from "playwright-core";
import { idempotencyKeyFor } from "../../../lambdas/shared/eventKey.ts";
import { LOCAL_SECRET_DEFAULTS } from "../../../local/localSecrets.ts";
import { type ScriptProcess, spawnScript, waitForReadyLine } from "../../../local/scriptProcess.ts";
import { fetchEvent, fetchStats, waitUntilSettled } from "../../../local/stackClient.ts";
import { githubEventId, signedGithubWebhook, signedStripeWebhook } from "../../../local/webhookSigning.ts";
import { launchChromium, screenshot } from "../../support/browser.ts";
import { removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { jsonOf, oncegate } from "../../support/operatorCli.ts";
import { type ScriptedConsumer, startScriptedConsumer } from "../../support/scriptedConsumer.ts";

/**
 * Routing by event type end to end: `npm start -- --config <file>` on a gateway configuration file in the CDK app's
 * JSON format, three scripted destinations with filters, an event no filter takes (UNROUTED), and the operator
 * routing it afterwards with `oncegate events replay --destination`.
 */
let billing: ScriptedConsumer;
let crm: ScriptedConsumer;
let ci: ScriptedConsumer;
let stack: StackProcess;
let cli: ScriptProcess | undefined;
let browser: Browser | undefined;
/** The console, signed in by the console test; the recover test after it goes on with it. */
let page: Page;
let consoleBase: string;
const folder = mkdtempSync(join(tmpdir(), "oncegate-routing-"));

beforeAll(async () => {
  [billing, crm, ci] = await Promise.all([startScriptedConsumer(), startScriptedConsumer(), startScriptedConsumer()]);
  const signingSecrets = [{ env: "ONCEGATE_SIGNING_SECRET" }];
  const file = join(folder, "gateway.json");
  writeFileSync(
    file,
    JSON.stringify({
      providers: {
        stripe: { scheme: "stripe", secrets: [{ env: "STRIPE_WEBHOOK_SECRET" }] },
        github: { scheme: "github", secrets: [{ env: "GITHUB_WEBHOOK_SECRET" }], rateLimit: 20 },
      },
      destinations: [
        { id: "billing", url: billing.url, providers: ["stripe"], events: ["invoice.*"], signingSecrets },
        { id: "crm", url: crm.url, providers: ["stripe"], events: ["customer.*"], signingSecrets },
        { id: "ci", url: ci.url, providers: ["github"], events: ["pull_request"], signingSecrets },
      ],
      retryScheduleSeconds: [1, 1],
    }),
  );
  stack = await startStack({ args: ["--config", file] });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await cli?.stop();
  await stack?.stop();
  if (stack) await removeDataDir(stack.dataDir);
  await Promise.all([billing?.close(), crm?.close(), ci?.close()]);
  rmSync(folder, { recursive: true, force: true });
});

async function sendStripe(eventId: string, type: string): Promise<number> {
  const body = JSON.stringify({ id: eventId, object: "event", type, data: { object: {} } });
  const webhook = signedStripeWebhook({ secret: LOCAL_SECRET_DEFAULTS.stripe, eventId, nowMs: Date.now(), body });
  const response = await fetch(`${stack.baseUrl}/webhooks/stripe`, {
    method: "POST",
    headers: { ...webhook.headers, "content-type": "application/json" },
    body: webhook.body,
  });
  await response.arrayBuffer();
  return response.status;
}

const eventIdsAt = (consumer: ScriptedConsumer) => consumer.requests.map((r) => r.headers["oncegate-event-id"]);
const local = () => ["--local", stack.baseUrl];
/** `oncegate events replay stripe evt_charge … --yes --json` on the stack. */
const replayCharge = (...extra: string[]) =>
  oncegate(["events", "replay", "stripe", "evt_charge", ...local(), ...extra, "--yes", "--json"]);
const CLI_ENTRY = new URL("../../../ops/cli/oncegate.ts", import.meta.url).pathname;

describe("routing by event type (npm start -- --config)", () => {
  beforeAll(async () => {
    expect(await sendStripe("evt_invoice", "invoice.paid")).toBe(202);
    expect(await sendStripe("evt_customer", "customer.subscription.created")).toBe(202);
    expect(await sendStripe("evt_charge", "charge.refunded")).toBe(202);
    const push = signedGithubWebhook({
      secret: LOCAL_SECRET_DEFAULTS.github,
      deliveryId: "delivery-push",
      eventType: "push",
      body: JSON.stringify({ ref: "refs/heads/main" }),
    });
    const pullRequest = signedGithubWebhook({ secret: LOCAL_SECRET_DEFAULTS.github, deliveryId: "delivery-pr" });
    for (const webhook of [push, pullRequest]) {
      const response = await fetch(`${stack.baseUrl}/webhooks/github`, {
        method: "POST",
        headers: webhook.headers,
        body: webhook.body,
      });
      expect(response.status).toBe(202);
    }
    await waitUntilSettled(stack.baseUrl, { timeoutMs: 30_000 });
  }, 60_000);

  test("each destination receives the types its filter takes, and only those", () => {
    expect(eventIdsAt(billing)).toEqual(["evt_invoice"]);
    expect(eventIdsAt(crm)).toEqual(["evt_customer"]);
    // `pull_request` takes every pull_request action, as GitHub's own subscription by event does.
    expect(eventIdsAt(ci)).toEqual([githubEventId("delivery-pr")]);
  });

  test("an event no filter takes is stored UNROUTED with its type, nothing sent, and counted", async () => {
    const charge = await fetchEvent(stack.baseUrl, "stripe", "evt_charge");
    expect(charge).toMatchObject({ status: "UNROUTED", destinations: {} });
    expect(JSON.stringify(charge)).toContain("charge.refunded");
    const push = await fetchEvent(stack.baseUrl, "github", githubEventId("delivery-push"));
    expect(push?.status).toBe("UNROUTED");
    expect((await fetchStats(stack.baseUrl)).events).toMatchObject({ unrouted: 2, delivered: 3 });
    // The provider's resend of it is a duplicate like any other: answered, nothing stored again, nothing sent.
    expect(await sendStripe("evt_charge", "charge.refunded")).toBe(200);
    expect((await fetchEvent(stack.baseUrl, "stripe", "evt_charge"))?.status).toBe("UNROUTED");
  });

  test("events list --status UNROUTED lists them; replay refuses without a destination and an unknown one", async () => {
    const listed = jsonOf<{ provider: string; eventId: string; status: string }[]>(
      await oncegate(["events", "list", ...local(), "--status", "UNROUTED", "--json"]),
    );
    expect(listed.map(({ provider, eventId }) => `${provider}/${eventId}`).sort()).toEqual([
      `github/${githubEventId("delivery-push")}`,
      "stripe/evt_charge",
    ]);
    const nothing = await replayCharge();
    expect(nothing.code).toBe(1);
    expect(jsonOf(nothing)).toEqual({
      error: {
        code: "nothing_to_route",
        message: expect.stringContaining("name one with --destination (configured: billing, crm, ci)"),
      },
    });
    const unknown = await replayCharge("--destination", "erp");
    expect(unknown.code).toBe(3);
    expect(jsonOf(unknown)).toEqual({
      error: { code: "no_such_destination", message: expect.stringContaining("erp is not a destination of") },
    });
    expect((await fetchEvent(stack.baseUrl, "stripe", "evt_charge"))?.status).toBe("UNROUTED");
  });

  test("the console lists UNROUTED events with their type and sends one to a destination it was never sent to", async () => {
    cli = spawnScript(CLI_ENTRY, ["console", "--local", stack.baseUrl]);
    await waitForReadyLine(cli, "Oncegate console for", "oncegate console", 20_000);
    const consoleUrl = /(http:\/\/127\.0\.0\.1:\d+\/console\?token=[\w-]+)/.exec(cli.stdout())?.[1] ?? "";
    const base = consoleUrl.replace(/\?token=.*$/, "");
    consoleBase = base;
    browser = await launchChromium();
    page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(consoleUrl);
    // The gateway's counts: the two events accepted and sent nowhere (the local counters flush every second).
    for (let tries = 0; ; tries += 1) {
      await page.goto(`${base}/overview`);
      const unrouted = await page.locator("#gateway-totals tbody td").last().textContent();
      if (unrouted === "2" || tries >= 20) {
        expect(unrouted).toBe("2");
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await expect(page.locator("#by-status td[data-status=UNROUTED]").textContent()).resolves.toBe("2");
    await page.goto(`${base}/events?status=UNROUTED`);
    const rows = page.locator("#events tbody tr");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    await expect(page.locator("#events tbody").textContent()).resolves.toContain("charge.refunded");
    // Filtered by type, as destinations' filters match; a pattern they would refuse is refused here too.
    await page.goto(`${base}/events?status=UNROUTED&type=${encodeURIComponent("charge.*")}`);
    await expect(page.locator("#events tbody tr").count()).resolves.toBe(1);
    await expect(page.locator("input[name=type]").inputValue()).resolves.toBe("charge.*");
    const refused = await page.goto(`${base}/events?type=inv*`);
    expect(refused?.status()).toBe(400);
    expect(await refused?.json()).toMatchObject({ error: "invalid_event_type" });
    await page.goto(`${base}/events?status=UNROUTED`);
    await page.getByRole("link", { name: githubEventId("delivery-push") }).click();
    await page.locator("#not-sent").waitFor();
    await expect(page.locator("dl.facts").first().textContent()).resolves.toContain("push");
    // Every configured destination is offered: the event was sent to none.
    const offered = await page.locator("#not-sent button").allTextContents();
    expect(offered).toEqual(["Send to billing", "Send to crm", "Send to ci"]);
    page.once("dialog", (dialog) => dialog.accept());
    await page.getByRole("button", { name: "Send to ci" }).click();
    await page.locator("#action-result").filter({ hasText: "Sent to ci: routed" }).waitFor();
    await screenshot(page, "console-route-unrouted");
    await waitUntilSettled(stack.baseUrl, { timeoutMs: 30_000 });
    expect(eventIdsAt(ci)).toEqual([githubEventId("delivery-pr"), githubEventId("delivery-push")]);
    await page.reload();
    await expect(page.locator("#destinations").textContent()).resolves.toContain("DELIVERED");
    await expect(page.locator("#not-sent button").allTextContents()).resolves.toEqual([
      "Send to billing",
      "Send to crm",
    ]);
    expect(errors).toEqual([]);
  }, 60_000);

  test("events replay --destination routes an UNROUTED event: delivered once, with its own Idempotency-Key", async () => {
    const run = await replayCharge("--destination", "billing");
    expect(run.code).toBe(0);
    expect(jsonOf(run)).toMatchObject({ destinations: [{ destination: "billing", outcome: "routed" }] });
    await waitUntilSettled(stack.baseUrl, { timeoutMs: 30_000 });
    const charge = await fetchEvent(stack.baseUrl, "stripe", "evt_charge");
    expect(charge).toMatchObject({
      status: "DELIVERED",
      destinations: { billing: { status: "DELIVERED", attempts: 1 } },
    });
    const delivered = billing.requests.filter((r) => r.headers["oncegate-event-id"] === "evt_charge");
    expect(delivered).toHaveLength(1);
    expect(delivered[0]?.headers["idempotency-key"]).toBe(idempotencyKeyFor("stripe", "evt_charge"));
    // Routed again: now it is the event's destination, and a replay of it is an ordinary one.
    const again = await replayCharge("--destination", "billing");
    expect(jsonOf(again)).toMatchObject({
      destinations: [{ destination: "billing", outcome: "replayed", previous: "DELIVERED" }],
    });
  });

  test("the console's Recover sends the UNROUTED events of a type to a destination, counted first", async () => {
    expect(await sendStripe("evt_dispute", "charge.dispute.created")).toBe(202);
    expect(await sendStripe("evt_payout", "payout.paid")).toBe(202);
    await page.goto(`${consoleBase}/recover`);
    await page.getByLabel("Destinations in status").selectOption("UNROUTED");
    await page.getByLabel("Destination", { exact: true }).fill("billing");
    await page.getByLabel("Type", { exact: true }).fill("charge.*");
    await page.getByRole("button", { name: "Count (dry run)" }).click();
    await page.getByRole("status").filter({ hasText: "would be sent" }).waitFor();
    // Only the dispute: the charge routed before is no longer UNROUTED, the payout is not a charge.
    await expect(page.getByRole("status").textContent()).resolves.toBe(
      "1 UNROUTED event(s) would be sent to billing (dry run: nothing changed).",
    );
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Recover 1" }).click();
    await page.getByRole("status").filter({ hasText: "done: 1 replayed, 0 pending, 0 failed." }).waitFor();
    await waitUntilSettled(stack.baseUrl, { timeoutMs: 30_000 });
    expect((await fetchEvent(stack.baseUrl, "stripe", "evt_dispute"))?.status).toBe("DELIVERED");
    expect((await fetchEvent(stack.baseUrl, "stripe", "evt_payout"))?.status).toBe("UNROUTED");
    expect(eventIdsAt(billing).filter((id) => id === "evt_dispute")).toHaveLength(1);
  }, 60_000);
});
