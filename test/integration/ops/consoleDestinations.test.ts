import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { Browser, Page } from "playwright-core";
import { readDestinationControl, updateDestinationControl } from "../../../lambdas/shared/destinationControl.ts";
import { type RunningConsole, startConsole } from "../../../ops/console/consoleServer.ts";
import { localTarget } from "../../../ops/target/localTarget.ts";
import type { OperatorTarget } from "../../../ops/target/operatorTarget.ts";
import { launchChromium, screenshot } from "../../support/browser.ts";
import { signInConsole } from "../../support/consoleSession.ts";
import { type EmulatedGateway, startEmulatedGateway } from "../../support/emulatedGateway.ts";

/**
 * The console's Destinations page in headless Chromium, on a local target over the emulators (`startEmulatedGateway`:
 * real job queues in fauxqs, the control items in DynamoDB Local): the list, Pause with a reason and its
 * confirmation, a dismissed confirmation that changes nothing, Resume; and the actions' refusals as JSON.
 */
let gateway: EmulatedGateway;
let target: OperatorTarget;
let running: RunningConsole;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];
const control = (id: string) =>
  readDestinationControl({ client: gateway.ddb, tableName: gateway.eventsTable }, id, { consistent: true });

beforeAll(async () => {
  gateway = await startEmulatedGateway(["orders", "audit"]);
  for (const n of [1, 2]) {
    await gateway.sqs.sqs.send(new SendMessageCommand({ QueueUrl: gateway.queueUrlOf("orders"), MessageBody: `${n}` }));
  }
  const nowMs = Date.now();
  await updateDestinationControl({ client: gateway.ddb, tableName: gateway.eventsTable }, "audit", {
    set: {
      circuit: "open",
      consecutiveFailures: 10,
      openedAtMs: nowMs - 60_000,
      probeAtMs: nowMs + 30_000,
      lastFailureAtMs: nowMs - 1_000,
      lastFailureReason: "timeout",
    },
    change: { atMs: nowMs - 60_000, change: "opened", reason: "timeout", by: "delivery" },
  });
  target = await localTarget(gateway.url);
  running = await startConsole(target);
  browser = await launchChromium();
  page = await browser.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") pageErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => pageErrors.push(error.message));
  await page.goto(running.url);
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await running?.close();
  target?.close();
  await gateway?.stop();
});

const badge = (id: string) => page.locator(`tr[data-destination="${id}"] [data-state]`);

describe("the Destinations page", () => {
  test("lists each destination with its state, backlog and failures, and the circuit's changes", async () => {
    await page.getByRole("link", { name: "Destinations" }).first().click();
    expect(new URL(page.url()).pathname).toBe("/console/destinations");
    expect(await badge("orders").textContent()).toBe("active");
    expect(await badge("audit").textContent()).toBe("open");
    const orders = page.locator('tr[data-destination="orders"] td');
    expect(await orders.nth(1).textContent()).toBe("2"); // backlog
    expect(await page.locator('tr[data-destination="audit"]').textContent()).toContain("timeout");
    expect(await page.locator("#destination-history tbody tr").count()).toBe(1);
    expect(await page.locator("#destination-history").textContent()).toContain("opened");
  });

  test("Pause asks first, then pauses with the reason: the badge turns paused", async () => {
    await page.locator('form[data-pause="orders"] input[name="reason"]').fill("consumer deploy");
    let question = "";
    page.once("dialog", (dialog) => {
      question = dialog.message();
      void dialog.accept();
    });
    await page.getByRole("button", { name: "Pause orders" }).click();
    await page.locator('tr[data-destination="orders"] [data-state="paused"]').waitFor();
    expect(question).toBe("Pause orders? Its jobs wait in its queue and no attempt is made until it is resumed.");
    expect(await page.locator("#action-result").textContent()).toBe(
      "Paused orders: its jobs wait in its queue; no attempt is made until it is resumed.",
    );
    expect(await page.locator('tr[data-destination="orders"]').textContent()).toContain("consumer deploy");
    expect(await control("orders")).toMatchObject({
      paused: true,
      pausedBy: "local-operator",
      pauseReason: "consumer deploy",
    });
    expect(await page.locator("#destination-history tbody tr").count()).toBe(2);
    await screenshot(page, "console-destinations-paused");
  });

  test("a dismissed Resume changes nothing", async () => {
    page.once("dialog", (dialog) => void dialog.dismiss());
    await page.getByRole("button", { name: "Resume orders" }).click();
    expect(await badge("orders").textContent()).toBe("paused");
    expect((await control("orders")).paused).toBe(true);
  });

  test("Resume, confirmed, turns the badge active again", async () => {
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Resume orders" }).click();
    await page.locator('tr[data-destination="orders"] [data-state="active"]').waitFor();
    expect(await page.locator("#action-result").textContent()).toBe("Resumed orders: its jobs are attempted again.");
    expect((await control("orders")).paused).toBe(false);
    // The table was reloaded in place: its new Pause button works without a page load.
    expect(await page.getByRole("button", { name: "Pause orders" }).isEnabled()).toBe(true);
    await screenshot(page, "console-destinations-resumed");
    expect(pageErrors).toEqual([]);
  });

  test("refuses an unknown destination or field as JSON, 400, changing nothing", async () => {
    const { cookie, actionToken } = await signInConsole(running.signInUrl());
    const post = (path: string, body: unknown) =>
      fetch(`${running.baseUrl}${path}`, {
        method: "POST",
        headers: { cookie, "content-type": "application/json", "x-oncegate-console-token": actionToken },
        body: JSON.stringify(body),
      });
    const unknown = await post("/api/destinations/ordrs/pause", {});
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: "unknown_destination" });
    const field = await post("/api/destinations/orders/resume", { reason: "x" });
    expect(field.status).toBe(400);
    expect(await field.json()).toMatchObject({ error: "unknown_field" });
    expect((await control("orders")).paused).toBe(false);
  });
});
