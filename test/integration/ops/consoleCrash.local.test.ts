import { afterAll, beforeAll, expect, test } from "@jest/globals";
import type { Browser } from "playwright-core";
import { idempotencyKeyFor } from "../../../lambdas/shared/eventKey.ts";
import { fetchEvent, fetchStats, waitUntilSettled } from "../../../local/stackClient.ts";
import { launchChromium, screenshot } from "../../support/browser.ts";
import { newDataDir, removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { sendStripeWebhook } from "../../support/operatorCli.ts";

/**
 * The README's crash test, recovered from the console instead of the CLI: the stack is killed right after the demo
 * consumer's receipt (`consumer:after-effect`), restarted on its data, and the event ends DEAD with its claim
 * IN_PROGRESS. In the console `npm start` serves: the key released (minimum age 0) with a reason, then the dead job
 * redriven from the dead-letters page. One charge, two receipts, an empty dead-letter queue.
 */
const QUICK = {
  ONCEGATE_RETRY_SCHEDULE: "1,1",
  ONCEGATE_DESTINATION_TIMEOUT_MS: "2000",
  ONCEGATE_SWEEP_INTERVAL_SECONDS: "1",
  ONCEGATE_SWEEP_AFTER_SECONDS: "1",
};
const EVENT = "evt_crash_console";
const dataDir = newDataDir();
let stack: StackProcess;
let browser: Browser;

beforeAll(async () => {
  stack = await startStack({ dataDir, env: { ...QUICK, ONCEGATE_CRASH_AT: "consumer:after-effect" } });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await removeDataDir(dataDir);
});

test("the README's crash test: the key released and the dead job redriven from the console -> charges 1", async () => {
  // The stack may die before it answers: the event was stored before the delivery that crashes it.
  await sendStripeWebhook(stack.baseUrl, EVENT).catch(() => 0);
  expect(await stack.exited).toEqual({ code: null, signal: "SIGKILL" });
  stack = await startStack({ dataDir, env: QUICK });
  const settled = await waitUntilSettled(stack.baseUrl, { timeoutMs: 40_000 });
  expect(settled.settled).toBe(true);
  expect((await fetchEvent(stack.baseUrl, "stripe", EVENT))?.status).toBe("DEAD");
  const before = await fetchStats(stack.baseUrl);
  expect(before).toMatchObject({ charges: 0, receipts: 1, dlq: 1 });

  const printed = /console: (http:\/\/127\.0\.0\.1:\d+\/console\?token=[\w-]{43})/.exec(stack.stdout());
  const page = await browser.newPage();
  await page.goto(printed?.[1] ?? "");
  await page.goto(`${new URL(page.url()).origin}/console/events?status=DEAD`);
  await page.getByRole("link", { name: EVENT }).click();
  await page.getByRole("link", { name: "its record in a consumer's table" }).click();
  await expect(page.getByRole("heading", { name: /Record/ }).textContent()).resolves.toContain("IN_PROGRESS");
  await screenshot(page, "console-crash-key-in-progress");

  // Released as the README's CLI step does it: the claim is minutes old, so a minimum age of 0.
  await page.getByLabel("Reason (kept in the audit)").fill("stack killed mid-handler");
  await page.getByLabel(/Youngest IN_PROGRESS claim to release/).fill("0");
  page.once("dialog", (dialog) => void dialog.accept());
  const key = idempotencyKeyFor("stripe", EVENT);
  await page.getByRole("button", { name: `Release ${key}` }).click();
  await page
    .getByRole("status")
    .filter({ hasText: `Released ${key}` })
    .waitFor();

  await page.getByRole("link", { name: "Dead letters" }).click();
  await expect(page.locator("#dead-letters tbody tr").count()).resolves.toBe(1);
  await screenshot(page, "console-crash-dead-letters");
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: `Redrive ${EVENT} to demo` }).click();
  await expect(page.getByRole("status").filter({ hasText: "Redrive:" }).textContent()).resolves.toBe(
    "Redrive: 1 matched, 1 sent back, 0 dropped, 0 failed. Reload to follow them.",
  );

  const deadline = Date.now() + 30_000;
  while ((await fetchEvent(stack.baseUrl, "stripe", EVENT))?.status !== "DELIVERED") {
    if (Date.now() > deadline) throw new Error(`${EVENT} never DELIVERED after the redrive`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const after = await fetchStats(stack.baseUrl);
  expect(after).toMatchObject({ charges: 1, receipts: 2, dlq: 0 });
  await page.reload();
  await expect(page.locator("#dead-letters-empty").textContent()).resolves.toContain("holds no job");
  await page.goto(`${new URL(page.url()).origin}/console/events/stripe/${EVENT}`);
  await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toContain("DELIVERED");
  await screenshot(page, "console-crash-recovered");
  await page.close();
}, 120_000);
