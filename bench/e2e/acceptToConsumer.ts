import { fetchEvent } from "../../local/stackClient.ts";

/** What the stored events say about how delivery went, for the events that were read. */
export interface AcceptToConsumer {
  /** Events read with `GET /events/stripe/<id>`. */
  read: number;
  /** Per event: from `receivedAt` (stored by the intake) to the start of the attempt the consumer acknowledged. */
  samplesMs: number[];
  /** Delivery attempts recorded per event, summed (more than one per event means retries). */
  attempts: number;
  /** Events that are not DELIVERED with exactly one acknowledged attempt, and why. */
  problems: string[];
}

/**
 * Every `step`-th event of `eventIds` (so the sample spans the whole storm, first events to last), read through
 * `GET /events/stripe/<id>` `concurrency` at a time. The view's timestamps are the stored milliseconds.
 */
export async function readAcceptToConsumer(
  baseUrl: string,
  eventIds: readonly string[],
  sampleSize: number,
  concurrency: number,
): Promise<AcceptToConsumer> {
  const step = Math.max(1, Math.floor(eventIds.length / Math.max(1, sampleSize)));
  const sample = eventIds.filter((_, index) => index % step === 0).slice(0, sampleSize);
  const result: AcceptToConsumer = { read: 0, samplesMs: [], attempts: 0, problems: [] };
  let next = 0;
  const reader = async () => {
    while (next < sample.length) {
      const eventId = sample[next++] as string;
      const view = await fetchEvent(baseUrl, "stripe", eventId);
      result.read += 1;
      if (view === undefined) {
        result.problems.push(`${eventId}: not stored`);
        continue;
      }
      result.attempts += view.attempts.length;
      const acknowledged = view.attempts.filter((attempt) => isSuccess(attempt.statusCode));
      if (view.status !== "DELIVERED" || acknowledged.length !== 1) {
        result.problems.push(`${eventId}: ${view.status}, ${acknowledged.length} acknowledged attempt(s)`);
        continue;
      }
      const attemptAt = Date.parse((acknowledged[0] as { at: string }).at);
      result.samplesMs.push(attemptAt - Date.parse(view.receivedAt));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, sample.length)) }, reader));
  return result;
}

function isSuccess(statusCode: number | undefined): boolean {
  return statusCode !== undefined && statusCode >= 200 && statusCode < 300;
}
