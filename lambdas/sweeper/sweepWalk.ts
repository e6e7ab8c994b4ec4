import { errorCodeOf } from "../shared/errors.ts";
import type { IndexKey } from "../shared/eventListing.ts";

/**
 * One sweep's walk over the events received in a window, oldest first, and where the next sweep starts. No AWS
 * import: the listing index, the state reads and the requeue are given, so the walk's bookkeeping is tested against
 * a model (test/unit/lambdas/sweeper/sweepWalk.test.ts) as well as on DynamoDB Local.
 */

/** What a sweep did with one event it found still RECEIVED. */
export type SweepOutcome = "requeued" | "skipped" | "bodyMissing" | "failed";

/** The window walked: events received at `sinceMs` or later and before `untilMs`. */
export interface SweepWindow {
  sinceMs: number;
  untilMs: number;
}

/** What {@link walkAbandoned} is given. */
export interface SweepWalkOptions {
  window: SweepWindow;
  /** The window's index entries, oldest first, in batches (the listing index, `walkIndex`). */
  batches: AsyncIterable<IndexKey[]>;
  /** The entries of `keys` whose event is still RECEIVED, in order (an eventually consistent batch read). */
  stillReceived: (keys: IndexKey[]) => Promise<IndexKey[]>;
  /** Re-reads one event strongly consistently and requeues it if it is still RECEIVED; never throws. */
  sweepOne: (key: IndexKey) => Promise<SweepOutcome>;
  /** Most events handed to `sweepOne` at once. */
  concurrency: number;
  /** Nothing more is handed to `sweepOne` once this many were requeued, or once `outOfTime` says so. */
  maxRequeued: number;
  outOfTime: () => boolean;
}

/** What the walk did, and where the next one starts. */
export interface SweepWalkResult {
  /** Index entries read. */
  examined: number;
  /** Of those, events the batch read found still RECEIVED and the walk handed to `sweepOne`. */
  found: number;
  requeued: number;
  skipped: number;
  bodyMissing: number;
  failed: number;
  /** The whole window was walked. */
  completed: boolean;
  /** The code of the error that stopped the walk (the index or a batch read failing). */
  error?: string;
  /** Where the next sweep starts: no event received before it is left for a later sweep. */
  watermarkMs: number;
}

/**
 * Walks the window's entries a batch at a time: reads which are still RECEIVED, hands those to `sweepOne`
 * (`concurrency` at a time), and stops at the end of the window, at `maxRequeued` or `outOfTime`, or when the index
 * or a batch read fails. The returned watermark never passes an event that is not known to be handled: an event
 * that failed, the first entry of a batch that could not be read, or (stopping early) the last instant examined,
 * which is walked again since more entries of that same millisecond may follow.
 */
export async function walkAbandoned(options: SweepWalkOptions): Promise<SweepWalkResult> {
  const result: SweepWalkResult = {
    examined: 0,
    found: 0,
    requeued: 0,
    skipped: 0,
    bodyMissing: 0,
    failed: 0,
    completed: false,
    watermarkMs: options.window.sinceMs,
  };
  let resumeAtMs: number | undefined;
  let firstFailedMs: number | undefined;
  let stoppedEarly = false;
  try {
    for await (const batch of options.batches) {
      if (batch.length === 0) continue;
      if (result.requeued >= options.maxRequeued || options.outOfTime()) {
        resumeAtMs = batch[0]?.receivedAtMs;
        stoppedEarly = true;
        break;
      }
      let received: IndexKey[];
      try {
        received = await options.stillReceived(batch);
      } catch (error) {
        resumeAtMs = batch[0]?.receivedAtMs;
        result.error = errorCodeOf(error);
        stoppedEarly = true;
        break;
      }
      result.examined += batch.length;
      for (let start = 0; start < received.length; ) {
        const room = options.maxRequeued - result.requeued;
        if (room <= 0 || options.outOfTime()) {
          // The rest of this batch, from its first event not handed over, is the next sweep's.
          resumeAtMs = received[start]?.receivedAtMs;
          stoppedEarly = true;
          break;
        }
        const chunk = received.slice(start, start + Math.min(options.concurrency, room));
        start += chunk.length;
        result.found += chunk.length;
        const outcomes = await Promise.all(chunk.map(options.sweepOne));
        outcomes.forEach((outcome, index) => {
          result[outcome] += 1;
          const at = chunk[index]?.receivedAtMs;
          if (outcome === "failed" && at !== undefined) firstFailedMs = Math.min(firstFailedMs ?? at, at);
        });
      }
      if (stoppedEarly) break;
      resumeAtMs = batch.at(-1)?.receivedAtMs;
    }
    result.completed = !stoppedEarly;
  } catch (error) {
    // The index itself failed: the entries examined so far stand.
    result.error = errorCodeOf(error);
  }
  result.watermarkMs = nextWatermark(options.window, {
    completed: result.completed,
    resumeAtMs,
    firstFailedMs,
  });
  return result;
}

/**
 * Where the next sweep starts, from what this one got through: the window's end when it was walked whole, else the
 * instant it stopped at; never past an event that failed, never before the window's start.
 */
export function nextWatermark(
  window: SweepWindow,
  progress: { completed: boolean; resumeAtMs?: number; firstFailedMs?: number },
): number {
  const reached = progress.completed ? window.untilMs : (progress.resumeAtMs ?? window.sinceMs);
  const safe = Math.min(reached, progress.firstFailedMs ?? reached);
  return Math.max(window.sinceMs, safe);
}
