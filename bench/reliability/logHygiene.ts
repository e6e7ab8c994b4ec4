import { existsSync, readFileSync } from "node:fs";
import { stackLogFile } from "../../local/stackLog.ts";
import type { StackProcess } from "../../local/stackProcess.ts";

/** Secrets nobody outside this run knows, so that finding one in a log line can only be a leak. */
export function knownSecretsEnvironment(tag: string): Record<string, string> {
  const standard = (label: string) => `whsec_${Buffer.from(`reliability-${label}-${tag}`).toString("base64")}`;
  return {
    STRIPE_WEBHOOK_SECRET: `whsec_reliability_stripe_${tag}`,
    GITHUB_WEBHOOK_SECRET: `reliability-github-${tag}`,
    SHOPIFY_WEBHOOK_SECRET: `reliability-shopify-${tag}`,
    STANDARD_WEBHOOK_SECRET: standard("standard"),
    ONCEGATE_SIGNING_SECRET: standard("signing"),
  };
}

export interface LogLeak {
  source: string;
  what: string;
}

/**
 * Every line the stack wrote (stdout, stderr, and the JSON log file) that contains a secret value or a body marker.
 * The ready banner is skipped on purpose: `npm start` prints the secrets in use there so a developer can sign
 * requests by hand; everything after it is what a deployed gateway's logs would hold.
 */
export function findLogLeaks(stack: StackProcess, secrets: readonly string[], markers: readonly string[]): LogLeak[] {
  const logFile = stackLogFile(stack.dataDir);
  const sources: Record<string, string> = {
    stdout: withoutReadyBanner(stack.stdout()),
    stderr: stack.stderr(),
    "logs/oncegate.log": existsSync(logFile) ? readFileSync(logFile, "utf8") : "",
  };
  const leaks: LogLeak[] = [];
  for (const [source, text] of Object.entries(sources)) {
    for (const line of text.split("\n")) {
      for (const secret of secrets) if (line.includes(secret)) leaks.push({ source, what: "a secret" });
      for (const marker of markers) if (line.includes(marker)) leaks.push({ source, what: "a payload body" });
    }
  }
  return leaks;
}

/** The banner runs from `oncegate: ready` to its `try it:` line. */
function withoutReadyBanner(stdout: string): string {
  const lines = stdout.split("\n");
  const start = lines.findIndex((line) => line.startsWith("oncegate: ready "));
  const end = lines.findIndex((line, index) => index > start && line.trimStart().startsWith("try it:"));
  if (start === -1 || end === -1) return stdout;
  return [...lines.slice(0, start), ...lines.slice(end + 1)].join("\n");
}
