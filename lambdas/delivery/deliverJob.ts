import type { Clock } from "../shared/clock.ts";
import type { AttemptEntry, DeliveryJob } from "../shared/eventRecord.ts";
import { buildAttemptRecord } from "./attemptRecord.ts";
import type { JobOutcome } from "./deliveryLog.ts";
import { describeError } from "./deliveryLog.ts";
import type { DeliverySettings } from "./deliverySettings.ts";
import type { EventsTable, StoredEvent } from "./deliveryStore.ts";
import { readEvent, recordDestinationTransition, writeOverallStatus } from "./deliveryStore.ts";
import {
  destinationStateAfterAttempt,
  exhaustedDestinationState,
  UNKNOWN_DESTINATION_REASON,
  unknownDestinationState,
} from "./destinationState.ts";
import type { DestinationStatus } from "./destinationStatus.ts";
import { isFinalDestinationStatus } from "./destinationStatus.ts";
import { outboundHeaders } from "./outboundHeaders.ts";
import { deriveOverallStatus, destinationStatusesOf, overallStatusChange } from "./overallStatus.ts";
import type { Decision } from "./retryPolicy.ts";
import { decideAfterAttempt } from "./retryPolicy.ts";
import { maxAttempts } from "./retrySchedule.ts";
import type { Stopwatch } from "./sendAttempt.ts";
import { sendAttempt } from "./sendAttempt.ts";

/** Everything a job needs besides itself; built once per cold start. */
export interface DeliveryContext {
  settings: DeliverySettings;
  table: EventsTable;
  clock: Clock;
  random: () => number;
  fetch: typeof fetch;
  stopwatch?: Stopwatch;
  /** Test hooks: `afterPost` runs between the POST and recording it (a crash there means a second POST). */
  faults?: { afterPost?: () => void | Promise<void> };
}

/** What to do with the message, and what to log. */
export interface JobResult {
  outcome: JobOutcome;
  /** Keep the message on the queue (report it in `batchItemFailures`). */
  report: boolean;
  /** Hide the kept message this long first (a retry); otherwise its visibility is left as it is. */
  delaySeconds?: number;
  reason?: string;
  statusCode?: number;
  latencyMs?: number;
  /** Why the overall status could not be written (the job is then kept, and its duplicate writes it). */
  error?: string;
}

/**
 * Runs one job: reads the event, POSTs it to the destination unless that destination is already settled for
 * good, decides with {@link decideAfterAttempt}, and records the attempt and the destination's new state in one
 * update. Throws only when DynamoDB (or an injected fault) fails; the caller reports such a job for a retry.
 */
export async function deliverJob(job: DeliveryJob, attempt: number, context: DeliveryContext): Promise<JobResult> {
  const { settings, table } = context;
  const item = await readEvent(table, job.pk);
  if (item === undefined) return { outcome: "dropped", report: false, reason: "event_missing" };

  const current = item.destinations?.[job.destination];
  if (current !== undefined && isFinalDestinationStatus(current.status)) {
    // A duplicate message. Its first run may have died before writing the overall status: write it now.
    const status = await reconcileOverallStatus(context, item);
    return { outcome: "skipped", reason: alreadySettled(current.status), ...status };
  }

  const destination = settings.destinations.get(job.destination);
  if (destination === undefined) {
    const updated = await recordDestinationTransition(table, item, job.destination, unknownDestinationState);
    const status = updated === undefined ? STATUS_WRITTEN : await reconcileOverallStatus(context, updated);
    return { outcome: "failed", reason: UNKNOWN_DESTINATION_REASON, ...status };
  }

  if (attempt > maxAttempts(settings.retryScheduleSeconds)) {
    // The queue allows more receives than the schedule attempts: no POST, and SQS moves the job on soon.
    const updated =
      current?.status === "DEAD"
        ? item
        : await recordDestinationTransition(table, item, job.destination, exhaustedDestinationState);
    const status = updated === undefined ? STATUS_WRITTEN : await reconcileOverallStatus(context, updated);
    return { outcome: "dead", reason: "attempts_exhausted", ...status, report: true };
  }

  const atMs = context.clock.nowMs();
  const headers = outboundHeaders({
    idempotencyKey: item.idempotencyKey,
    provider: item.provider,
    eventId: item.eventId,
    contentType: item.contentType,
    attempt,
    timestampSec: Math.floor(atMs / 1000),
    payload: item.payload,
    signingSecrets: destination.signingSecrets,
  });
  const request = { url: destination.url, headers, payload: item.payload, timeoutMs: destination.timeoutMs };
  const sent = await sendAttempt(request, context.fetch, context.stopwatch);
  await context.faults?.afterPost?.();

  const decision = decideAfterAttempt(sent.outcome, {
    attempt,
    schedule: settings.retryScheduleSeconds,
    random: context.random,
    nowMs: context.clock.nowMs(),
    minDelayAfterThrottleSeconds: settings.minDelayAfterThrottleSeconds,
  });
  const record = buildAttemptRecord({
    attempt,
    atMs,
    latencyMs: sent.latencyMs,
    outcome: sent.outcome,
    responseBody: sent.responseBodyStart,
  });
  const entry: AttemptEntry = { destination: job.destination, ...record };
  const updated = await recordDestinationTransition(
    table,
    item,
    job.destination,
    (state) => destinationStateAfterAttempt(state, decision, record),
    entry,
  );
  const measured = { statusCode: record.statusCode, latencyMs: record.latencyMs };
  if (updated === undefined) return { outcome: "dropped", report: false, reason: "event_missing", ...measured };
  const status = await reconcileOverallStatus(context, updated);

  const stored = updated.destinations[job.destination];
  if (stored !== undefined && settledByAnotherAttempt(stored.status, decision)) {
    // A duplicate finished first, and its outcome stands: whatever this attempt said, the job is done.
    return { outcome: "skipped", reason: alreadySettled(stored.status), ...measured, ...status };
  }
  switch (decision.action) {
    case "delivered":
      return { outcome: "delivered", ...measured, ...status };
    case "failed":
      return { outcome: "failed", reason: stored?.reason ?? decision.reason, ...measured, ...status };
    case "retry":
      return {
        outcome: "retry",
        delaySeconds: decision.delaySeconds,
        reason: decision.reason,
        ...measured,
        ...status,
        report: true,
      };
    case "dead":
      return { outcome: "dead", reason: decision.reason, ...measured, ...status, report: true };
  }
}

function settledByAnotherAttempt(stored: DestinationStatus, decision: Decision): boolean {
  if (!isFinalDestinationStatus(stored)) return false;
  const own = decision.action === "delivered" ? "DELIVERED" : decision.action === "failed" ? "FAILED" : undefined;
  return stored !== own;
}

function alreadySettled(status: DestinationStatus): string {
  return `already_${status.toLowerCase()}`;
}

type StatusWrite = Pick<JobResult, "report" | "error">;
const STATUS_WRITTEN: StatusWrite = { report: false };

/**
 * Writes the overall status the item's destinations imply, if it differs. It fails only when the write failed
 * for a reason other than a newer update (which writes its own status): the job is then kept (`report`), and its
 * next delivery, a duplicate, writes the status.
 */
async function reconcileOverallStatus(context: DeliveryContext, item: StoredEvent): Promise<StatusWrite> {
  const change = overallStatusChange(item.status, deriveOverallStatus(destinationStatusesOf(item)));
  if (change === undefined) return STATUS_WRITTEN;
  try {
    await writeOverallStatus(context.table, item.pk, change, item.version ?? 0);
    return STATUS_WRITTEN;
  } catch (error) {
    return { report: true, error: `overall status not written: ${describeError(error)}` };
  }
}
