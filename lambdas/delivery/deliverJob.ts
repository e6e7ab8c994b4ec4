import type { S3Client } from "@aws-sdk/client-s3";
import type { Clock } from "../shared/clock.ts";
import type { AttemptEntry, DeliveryJob } from "../shared/eventRecord.ts";
import { isRedrive, planNextAttempt, redrivenState } from "./attemptPlan.ts";
import { buildAttemptRecord } from "./attemptRecord.ts";
import { attemptTriggerOf } from "./attemptTrigger.ts";
import { BODY_UNAVAILABLE_RECEIVES, isLastingBodyFailure } from "./bodyUnavailable.ts";
import type { JobOutcome } from "./deliveryLog.ts";
import { describeError } from "./deliveryLog.ts";
import type { DeliverySettings } from "./deliverySettings.ts";
import type { DeliveryTable, StoredEvent } from "./deliveryStore.ts";
import { readEvent, recordDestinationTransition, writeImpliedOverallStatus } from "./deliveryStore.ts";
import type { DestinationGate, GateAnswer } from "./destinationGate.ts";
import {
  ATTEMPTS_EXHAUSTED_REASON,
  BODY_UNAVAILABLE_REASON,
  bodyUnavailableDestinationState,
  DEAD_LETTERED_REASON,
  deadLetteredDestinationState,
  destinationStateAfterAttempt,
  exhaustedDestinationState,
  UNKNOWN_DESTINATION_REASON,
  unknownDestinationState,
} from "./destinationState.ts";
import type { DestinationStatus } from "./destinationStatus.ts";
import { isFinalDestinationStatus } from "./destinationStatus.ts";
import { type PreparedPost, preparePost } from "./preparePost.ts";
import type { Decision } from "./retryPolicy.ts";
import { decideAfterAttempt } from "./retryPolicy.ts";
import type { Stopwatch } from "./sendAttempt.ts";
import { sendAttempt } from "./sendAttempt.ts";

/** Everything a job needs besides itself; built once per cold start. */
export interface DeliveryContext {
  settings: DeliverySettings;
  /** The queue's `maxReceiveCount`: on that receive the job is marked DEAD (`dead_lettered`) before SQS moves it. */
  maxReceiveCount: number;
  /** The events table, with its index shards (a settled FAILED or DEAD enters the problem index). */
  table: DeliveryTable;
  /** The body bucket's client: S3 bodies are streamed from the bucket their reference names. */
  s3: S3Client;
  clock: Clock;
  random: () => number;
  fetch: typeof fetch;
  stopwatch?: Stopwatch;
  /** Pause and circuit breaker: asked before each attempt, told its outcome. @default every attempt goes */
  gate?: DestinationGate;
  /** Test hooks: `afterPost` runs between the POST and recording it (a crash there means a second POST). */
  faults?: { afterPost?: () => void | Promise<void> };
}

/** The SQS receive a job came with. */
export interface JobReceipt {
  messageId: string;
  /** SQS's `ApproximateReceiveCount`: only the backstop counts receives, attempts are counted in the event. */
  receiveCount: number;
}

const ATTEMPT: GateAnswer = { kind: "attempt", probe: false };

/** Slack under which an attempt counts as due: SQS returns a hidden message up to about a second early or late. */
const DUE_TOLERANCE_MS = 1_000;

/** What to do with the message, and what to log. */
export interface JobResult {
  outcome: JobOutcome;
  /** Keep the message on the queue (report it in `batchItemFailures`). */
  report: boolean;
  /**
   * Hide the kept message this long first (a retry, a wait, or 0 to hasten a dead job to the DLQ); the handler
   * asks SQS for as much of it as this receive allows. Otherwise its visibility is left as it is.
   */
  delaySeconds?: number;
  /** The attempt's 1-based number overall, when one was made. */
  attempt?: number;
  reason?: string;
  statusCode?: number;
  latencyMs?: number;
  /** Why the overall status could not be written (the job is then kept, and its duplicate writes it). */
  error?: string;
}

/**
 * Runs one job: reads the event's state, POSTs its body (read only then) to the destination unless that destination
 * is settled or its attempt is not due yet, decides with {@link decideAfterAttempt}, and records the attempt and
 * the destination's new state (and the overall status, when it settles) in one update, plus an attempt item for an
 * attempt that leaves the destination PENDING. Attempts are counted from the stored state (`attemptPlan`), never from SQS's receive count.
 * Throws only when DynamoDB (or an injected fault) fails; the caller backs such a job off, which costs no attempt.
 */
export async function deliverJob(job: DeliveryJob, receipt: JobReceipt, context: DeliveryContext): Promise<JobResult> {
  const { settings, table } = context;
  const item = await readEvent(table, job.pk);
  if (item === undefined) return { outcome: "dropped", report: false, reason: "event_missing" };

  let current = item.destinations?.[job.destination];
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

  if (receipt.receiveCount >= context.maxReceiveCount) {
    // SQS moves this message to the dead-letter queue when it is next received: the event must not read PENDING.
    return markDead(context, item, job, current, deadLetteredDestinationState(receipt.messageId), DEAD_LETTERED_REASON);
  }

  let seen = item;
  const schedule = settings.retryScheduleSeconds;
  if (current?.status === "DEAD") {
    // The message that died, received again on its way to the DLQ: hasten it there, no POST.
    if (!isRedrive(current, receipt.messageId)) {
      return { outcome: "skipped", reason: "already_dead", report: true, delaySeconds: 0 };
    }
    const redriven = await recordDestinationTransition(table, item, job.destination, (state) =>
      state === undefined || state.status !== "DEAD"
        ? (state ?? { status: "PENDING", attempts: 0 })
        : redrivenState(state, schedule),
    );
    if (redriven === undefined) return { outcome: "dropped", report: false, reason: "event_missing" };
    seen = redriven;
    current = redriven.destinations[job.destination];
    if (current !== undefined && isFinalDestinationStatus(current.status)) {
      return {
        outcome: "skipped",
        reason: alreadySettled(current.status),
        ...(await reconcileOverallStatus(context, seen)),
      };
    }
  }

  const nowMs = context.clock.nowMs();
  const dueAtMs = current?.nextAttemptAtMs;
  if (dueAtMs !== undefined && dueAtMs - nowMs > DUE_TOLERANCE_MS) {
    // Early: a long delay served over several receives, or a duplicate job. Hide it again; no attempt is made.
    return { outcome: "waiting", report: true, delaySeconds: Math.ceil((dueAtMs - nowMs) / 1000) };
  }

  const plan = planNextAttempt(current, schedule);
  if (plan === undefined) {
    return markDead(
      context,
      seen,
      job,
      current,
      exhaustedDestinationState(receipt.messageId),
      ATTEMPTS_EXHAUSTED_REASON,
    );
  }

  // Paused, or its circuit open: no attempt, none consumed; the job comes back when a probe or a resume may be due.
  const admission =
    context.gate === undefined ? ATTEMPT : await context.gate.admit(job.destination, destination.timeoutMs);
  if (admission.kind === "hold") {
    return { outcome: "held", report: true, delaySeconds: admission.seconds, reason: admission.reason };
  }

  const atMs = nowMs;
  const trigger = attemptTriggerOf(current, plan);
  let post: PreparedPost | undefined;
  try {
    post = await preparePost(
      { table, s3: context.s3 },
      {
        state: seen,
        attempt: plan.attempt,
        trigger,
        timestampSec: Math.floor(atMs / 1000),
        signingSecrets: destination.signingSecrets,
      },
    );
  } catch (error) {
    // No attempt: the consumer was never asked. Passing failures are backed off by the caller (like DynamoDB's);
    // a lasting one, seen on enough receives, ends the destination DEAD rather than at the queue's backstop.
    if (!isLastingBodyFailure(error) || receipt.receiveCount < BODY_UNAVAILABLE_RECEIVES) throw error;
    const dead = bodyUnavailableDestinationState(receipt.messageId);
    return markDead(context, seen, job, current, dead, BODY_UNAVAILABLE_REASON);
  }
  // Gone with the state still there: TTL removes an event's items in no particular order. Nothing left to send.
  if (post === undefined) return { outcome: "dropped", report: false, reason: "body_missing" };
  const request = { url: destination.url, ...post, timeoutMs: destination.timeoutMs };
  const sent = await sendAttempt(request, context.fetch, context.stopwatch);
  await context.faults?.afterPost?.();

  const decision = decideAfterAttempt(sent.outcome, {
    attempt: plan.roundAttempt,
    schedule: plan.roundSchedule,
    random: context.random,
    nowMs: context.clock.nowMs(),
    minDelayAfterThrottleSeconds: settings.minDelayAfterThrottleSeconds,
  });
  const record = buildAttemptRecord({
    attempt: plan.attempt,
    trigger,
    atMs,
    latencyMs: sent.latencyMs,
    outcome: sent.outcome,
    responseBody: sent.responseBodyStart,
  });
  const entry: AttemptEntry = { destination: job.destination, ...record };
  const updated = await recordDestinationTransition(
    table,
    seen,
    job.destination,
    (state) => destinationStateAfterAttempt(state, decision, record, receipt.messageId),
    entry,
  );
  // After the attempt is recorded, so that the circuit's bookkeeping never delays (or, failing, loses) that record.
  await context.gate?.recordOutcome(job.destination, sent.outcome, admission.probe);
  const measured = { attempt: plan.attempt, statusCode: record.statusCode, latencyMs: record.latencyMs };
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
      // Kept (reported) and visible again at once, so SQS moves it to the DLQ within its last few receives.
      return { outcome: "dead", reason: decision.reason, ...measured, ...status, report: true, delaySeconds: 0 };
  }
}

/** Marks the destination DEAD (unless it is already) and keeps the job, visible at once, for the DLQ. */
async function markDead(
  context: DeliveryContext,
  item: StoredEvent,
  job: DeliveryJob,
  current: { status: DestinationStatus } | undefined,
  transition: Parameters<typeof recordDestinationTransition>[3],
  reason: string,
): Promise<JobResult> {
  const updated =
    current?.status === "DEAD"
      ? item
      : await recordDestinationTransition(context.table, item, job.destination, transition);
  const status = updated === undefined ? STATUS_WRITTEN : await reconcileOverallStatus(context, updated);
  return { outcome: "dead", reason, ...status, report: true, delaySeconds: 0 };
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
 * Writes the overall status the state's destinations imply, if it differs. A destination update that settles the
 * event writes it itself, so this writes only what such an update left unwritten (a status another path left
 * behind, such as the dead-letter pass marking a destination DEAD). It fails only when the write failed
 * for a reason other than a newer update (which writes its own status): the job is then kept (`report`), and its
 * next delivery, a duplicate, writes the status.
 */
async function reconcileOverallStatus(context: DeliveryContext, item: StoredEvent): Promise<StatusWrite> {
  try {
    await writeImpliedOverallStatus(context.table, item);
    return STATUS_WRITTEN;
  } catch (error) {
    return { report: true, error: `overall status not written: ${describeError(error)}` };
  }
}
