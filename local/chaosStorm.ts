import type { ChaosWebhook } from "./chaosWebhooks.ts";

/** What the intake answered to a storm. */
export interface StormTally {
  sent: number;
  /** 202: stored and queued, the first time the event was seen. */
  accepted: number;
  /** 200 with `duplicate: true`: already stored, nothing written. */
  duplicates: number;
  /** Anything else: another status, or no answer at all. */
  errors: number;
  /** What the errors were, e.g. `{ "503": 2, "ECONNRESET": 1 }`. */
  errorKinds: Record<string, number>;
}

export interface StormOptions {
  baseUrl: string;
  /** Each webhook is sent `count` times. */
  webhooks: readonly ChaosWebhook[];
  count: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Called once per request with its outcome and how long the answer took (the benchmark times each one). */
  onAnswer?: (answer: StormAnswer) => void;
}

/** One request of a storm, as {@link StormOptions.onAnswer} sees it. */
export interface StormAnswer {
  eventId: string;
  /** `accepted`, `duplicate`, or what went wrong (as counted in {@link StormTally.errorKinds}). */
  outcome: string;
  /** From just before the request was sent to its answer's body read, client side. */
  latencyMs: number;
}

/**
 * Fires `count` identical deliveries of every webhook at the intake, `concurrency` at a time, the duplicates of one
 * event interleaved with the others' (a provider retrying while its first attempt is still in flight), and counts
 * the answers. Never throws: a request that gets no answer counts as an error.
 */
export async function fireStorm(options: StormOptions): Promise<StormTally> {
  const queue: ChaosWebhook[] = [];
  for (let round = 0; round < options.count; round++) queue.push(...options.webhooks);
  const tally: StormTally = { sent: 0, accepted: 0, duplicates: 0, errors: 0, errorKinds: {} };
  let next = 0;
  const sender = async () => {
    while (next < queue.length) {
      const webhook = queue[next++] as ChaosWebhook;
      tally.sent += 1;
      const startedMs = performance.now();
      const outcome = await postWebhook(options.baseUrl, webhook);
      options.onAnswer?.({ eventId: webhook.eventId, outcome, latencyMs: performance.now() - startedMs });
      if (outcome === "accepted") tally.accepted += 1;
      else if (outcome === "duplicate") tally.duplicates += 1;
      else {
        tally.errors += 1;
        tally.errorKinds[outcome] = (tally.errorKinds[outcome] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, sender));
  return tally;
}

/**
 * Sends one webhook to the intake once: `accepted` (202), `duplicate` (200 with `duplicate: true`), or what went
 * wrong (the status code, or the network error's code). Never throws.
 */
export async function postWebhook(baseUrl: string, webhook: ChaosWebhook): Promise<string> {
  try {
    const response = await fetch(new URL(webhook.path, baseUrl), {
      method: "POST",
      headers: webhook.headers,
      body: webhook.body,
    });
    const body = (await response.json().catch(() => ({}))) as { duplicate?: unknown };
    if (response.status === 202) return "accepted";
    if (response.status === 200 && body.duplicate === true) return "duplicate";
    return String(response.status);
  } catch (error) {
    const cause = (error as { cause?: { code?: unknown } }).cause;
    return typeof cause?.code === "string" ? cause.code : "no answer";
  }
}
