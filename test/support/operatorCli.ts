import { readBody, readEvent } from "../../lambdas/delivery/deliveryStore.ts";
import { outboundHeaders } from "../../lambdas/delivery/outboundHeaders.ts";
import { eventPartitionKey } from "../../lambdas/shared/eventKey.ts";
import { chaosWebhook } from "../../local/chaosWebhooks.ts";
import { localSecret } from "../../local/localSecrets.ts";
import { spawnScript } from "../../local/scriptProcess.ts";
import { localTarget } from "../../ops/target/localTarget.ts";

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

/**
 * Delivers a stored event to the demo consumer once more, exactly as the delivery Lambda does (its own header
 * builder, the same Idempotency-Key and webhook-id, signed with the local signing secret): the next delivery after an
 * operator released its key. Returns the consumer's status.
 */
export async function deliverToDemoConsumer(baseUrl: string, provider: string, eventId: string): Promise<number> {
  const target = await localTarget(baseUrl);
  try {
    const table = { client: target.ddb, tableName: target.resources.eventsTable };
    const pk = eventPartitionKey(provider, eventId);
    const item = await readEvent(table, pk);
    const payload = await readBody(table, pk);
    if (item === undefined || payload === undefined) throw new Error(`no event ${provider}/${eventId}`);
    const headers = outboundHeaders({
      idempotencyKey: item.idempotencyKey,
      provider,
      eventId,
      contentType: item.contentType,
      attempt: (item.destinations.demo?.attempts ?? 0) + 1,
      trigger: "replay",
      timestampSec: Math.floor(Date.now() / 1000),
      payload,
      signingSecrets: [localSecret({}, "signing")],
    });
    const response = await fetch(new URL("/consumer/demo", baseUrl), { method: "POST", headers, body: payload });
    await response.arrayBuffer();
    return response.status;
  } finally {
    target.close();
  }
}
