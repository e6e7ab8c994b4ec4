import { chaosWebhook } from "../../local/chaosWebhooks.ts";
import { spawnScript } from "../../local/scriptProcess.ts";

/** The operator CLI's own entry point, run as a user runs it (`npx oncegate` runs this file). */
const ENTRY = new URL("../../ops/cli/oncegate.ts", import.meta.url).pathname;

/** How one `oncegate …` run ended. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `oncegate <args>` as a child process, stdin not a terminal (as in a script or CI). */
export async function oncegate(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const child = spawnScript(ENTRY, args, env);
  const exit = await child.exited;
  return { code: exit.code, stdout: child.stdout(), stderr: child.stderr() };
}

/** The JSON document a `--json` run printed. */
export function jsonOf<T = unknown>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

/** POSTs one correctly signed Stripe webhook to the stack's intake. */
export async function sendStripeWebhook(baseUrl: string, eventId: string): Promise<number> {
  const webhook = chaosWebhook("stripe", eventId, { env: {}, baseUrl, nowMs: Date.now() });
  const response = await fetch(new URL(webhook.path, baseUrl), {
    method: "POST",
    headers: webhook.headers,
    body: webhook.body,
  });
  await response.arrayBuffer();
  return response.status;
}
