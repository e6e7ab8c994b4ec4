import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (never Playwright's own browser download: this machine cannot reach
 * it). `.ci/run` installs the `chromium` package when /usr/bin/chromium is missing.
 */
export const CHROMIUM = process.env.ONCEGATE_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Where screenshots go: test-results/screenshots (git-ignored; look at them after a run), or the folder
 * `ONCEGATE_SCREENSHOTS_DIR` names: `npm run console:screenshots` writes the ones docs/operations.md shows.
 */
export const SCREENSHOTS =
  process.env.ONCEGATE_SCREENSHOTS_DIR ?? new URL("../../test-results/screenshots/", import.meta.url).pathname;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // As root (CI, this machine) Chromium needs --no-sandbox; the rest keep it off the closed network.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Saves the page as test-results/screenshots/<name>.png (the whole page). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
