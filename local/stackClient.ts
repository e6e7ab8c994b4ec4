import type { EventView } from "./eventView.ts";
import type { LocalStats } from "./stackStats.ts";

/** Thrown when nothing answers at the stack's URL. */
export class StackUnreachableError extends Error {
  constructor(baseUrl: string, options?: ErrorOptions) {
    super(`oncegate is not reachable at ${baseUrl}: start it with npm start`, options);
    this.name = "StackUnreachableError";
  }
}

/** `GET /stats`. @throws StackUnreachableError */
export async function fetchStats(baseUrl: string): Promise<LocalStats> {
  return (await getJson(baseUrl, "/stats")) as LocalStats;
}

/** `GET /events/{provider}/{eventId}`; `undefined` when there is no such event. @throws StackUnreachableError */
export async function fetchEvent(baseUrl: string, provider: string, eventId: string): Promise<EventView | undefined> {
  const path = `/events/${encodeURIComponent(provider)}/${encodeURIComponent(eventId)}`;
  return (await getJson(baseUrl, path, true)) as EventView | undefined;
}

/** How {@link waitUntilSettled} ended. */
export interface SettleResult {
  settled: boolean;
  stats: LocalStats;
  waitedMs: number;
}

/**
 * "not settled after 120 s: …" with the numbers that kept it from settling (events RECEIVED or QUEUED, DEAD events
 * against jobs in the DLQ), so a reliability row that times out says what it was waiting for.
 */
export function unsettledProblem(settle: SettleResult): string {
  const { received, queued, dead } = settle.stats.events;
  return `not settled after ${(settle.waitedMs / 1000).toFixed(0)} s: ${received} received, ${queued} queued, ${dead} dead with ${settle.stats.dlq} jobs in the DLQ`;
}

export interface SettleOptions {
  timeoutMs: number;
  /**
   * Stop waiting sooner when no number has moved for this long while events are still queued: they are being
   * retried on a schedule (e.g. a consumer answering 409), which `/stats` does not show. @default never
   */
  giveUpWhenStillMs?: number;
  /** @default 250 */
  pollMs?: number;
  /** @default Date.now */
  nowMs?: () => number;
}

/**
 * Polls `/stats` until delivery has settled: no event RECEIVED or QUEUED, every DEAD event's job in the DLQ (SQS
 * moves it there one visibility timeout after the last attempt), and the same numbers twice in a row.
 * @throws StackUnreachableError when the stack stops answering
 */
export async function waitUntilSettled(baseUrl: string, options: SettleOptions): Promise<SettleResult> {
  const nowMs = options.nowMs ?? Date.now;
  const startedMs = nowMs();
  let previous = "";
  let changedAtMs = startedMs;
  for (;;) {
    const stats = await fetchStats(baseUrl);
    const current = JSON.stringify(stats);
    const quiet = stats.events.received === 0 && stats.events.queued === 0 && stats.dlq >= stats.events.dead;
    const waitedMs = nowMs() - startedMs;
    if (quiet && current === previous) return { settled: true, stats, waitedMs };
    if (current !== previous) changedAtMs = nowMs();
    const still = options.giveUpWhenStillMs !== undefined && nowMs() - changedAtMs >= options.giveUpWhenStillMs;
    if (waitedMs >= options.timeoutMs || still) return { settled: false, stats, waitedMs };
    previous = current;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
  }
}

async function getJson(baseUrl: string, path: string, notFoundIsUndefined = false): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(path, baseUrl));
  } catch (error) {
    throw new StackUnreachableError(baseUrl, { cause: error });
  }
  if (notFoundIsUndefined && response.status === 404) return undefined;
  if (!response.ok) throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}
