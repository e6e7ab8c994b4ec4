import { type ChaosOptions, chaosEventIds } from "./chaosOptions.ts";
import { fireStorm, type StormTally } from "./chaosStorm.ts";
import { chaosWebhook } from "./chaosWebhooks.ts";
import { fetchStats, type SettleResult, StackUnreachableError, waitUntilSettled } from "./stackClient.ts";

// Retries on the local schedule leave /stats unchanged for a while: after this long, report what is still pending.
const STILL_MS = 10_000;

/** What one chaos run saw. */
export interface ChaosResult {
  tally: StormTally;
  /** How delivery ended; `undefined` when the stack stopped answering after the storm (a crash point fired). */
  settle?: SettleResult;
}

/**
 * Sends the storm and waits for delivery to settle: checks the stack answers, signs one webhook per event, fires
 * `count` copies of each, then polls `/stats`.
 * @throws StackUnreachableError when the stack does not answer before the storm
 */
export async function runChaos(
  options: ChaosOptions,
  env: Readonly<Record<string, string | undefined>>,
  nowMs: () => number = Date.now,
): Promise<ChaosResult> {
  await fetchStats(options.baseUrl);
  const context = { env, baseUrl: options.baseUrl, nowMs: nowMs() };
  const webhooks = chaosEventIds(options).map((eventId) => chaosWebhook(options.provider, eventId, context));
  const tally = await fireStorm({
    baseUrl: options.baseUrl,
    webhooks,
    count: options.count,
    concurrency: options.concurrency,
  });
  const settleOptions = { timeoutMs: options.timeoutSeconds * 1000, giveUpWhenStillMs: STILL_MS, nowMs };
  try {
    return { tally, settle: await waitUntilSettled(options.baseUrl, settleOptions) };
  } catch (error) {
    if (error instanceof StackUnreachableError) return { tally };
    throw error;
  }
}

/** The lines `npm run chaos` prints for a run. */
export function chaosReport(options: ChaosOptions, result: ChaosResult): string[] {
  const { tally, settle } = result;
  const ids = chaosEventIds(options);
  const what = ids.length === 1 ? `${options.provider} event ${ids[0]}` : `${ids.length} ${options.provider} events`;
  const errorKinds = Object.entries(tally.errorKinds).map(([kind, count]) => `${count}× ${kind}`);
  const lines = [
    `chaos: ${options.count} identical deliveries of ${what} to ${options.baseUrl}/webhooks/${options.provider}, ${options.concurrency} at a time`,
    "",
    `  sent        ${pad(tally.sent)}`,
    `  accepted    ${pad(tally.accepted)}   202: stored and queued (the first delivery of a new event)`,
    `  duplicates  ${pad(tally.duplicates)}   200 duplicate: already stored, nothing written`,
    `  errors      ${pad(tally.errors)}${errorKinds.length > 0 ? `   ${errorKinds.join(", ")}` : ""}`,
    "",
  ];
  if (settle === undefined) {
    lines.push(
      `the stack stopped answering at ${options.baseUrl} (a crash point fired?): start it again with npm start`,
    );
    return lines;
  }
  const seconds = (settle.waitedMs / 1000).toFixed(1);
  if (settle.settled) lines.push(`delivery settled after ${seconds} s; /stats:`);
  else {
    const example = `${options.baseUrl}/events/${options.provider}/${encodeURIComponent(ids[0] ?? "")}`;
    const pending = settle.stats.events.queued + settle.stats.events.received;
    lines.push(
      `delivery not settled after ${seconds} s: ${pending} event(s) still being retried (GET ${example} says why); /stats now:`,
    );
  }
  lines.push(JSON.stringify(settle.stats, null, 2));
  return lines;
}

function pad(value: number): string {
  return String(value).padStart(4);
}
