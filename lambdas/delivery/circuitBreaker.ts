import type { ResolvedCircuitBreaker } from "../shared/circuitBreakerConfig.ts";
import type { ControlUpdate, DestinationControl } from "../shared/destinationControl.ts";
import { type AttemptOutcome, outcomeReason } from "./retryPolicy.ts";

/**
 * The circuit breaker's decisions, pure: whether a job may be attempted now given its destination's control item,
 * and how an attempt's outcome changes that item. `destinationGate` does the reads and writes.
 */

/** What the delivery does with a job before POSTing it. */
export type Admission =
  | { kind: "attempt" }
  /** The circuit is open and its probe is due: whoever takes the probe's lease makes the one attempt. */
  | { kind: "probe" }
  /** No attempt (none is consumed): the job is hidden this long and received again. */
  | { kind: "hold"; seconds: number; reason: HoldReason };

export type HoldReason = "paused" | "circuit_open";

/**
 * How long a job received while its destination is paused is hidden. On AWS a paused destination's event source
 * mapping is disabled and locally its worker stops polling, so the only jobs held are those already in hand when
 * the pause began; short, so that they follow soon after a resume.
 */
export const PAUSED_HOLD_SECONDS = 15;

/** Slack after a probe's timeout before another job may probe: the probe's own answer is recorded by then. */
export const PROBE_LEASE_SLACK_MS = 5_000;

/** Whether `control` lets a job be attempted at `nowMs`. */
export function admissionOf(control: DestinationControl, nowMs: number): Admission {
  if (control.paused) return { kind: "hold", seconds: PAUSED_HOLD_SECONDS, reason: "paused" };
  if (control.circuit !== "open") return { kind: "attempt" };
  const probeAtMs = control.probeAtMs ?? nowMs;
  if (probeAtMs > nowMs) return { kind: "hold", seconds: secondsUntil(probeAtMs, nowMs), reason: "circuit_open" };
  const leaseUntilMs = control.probeLeaseUntilMs;
  if (leaseUntilMs !== undefined && leaseUntilMs > nowMs) {
    return { kind: "hold", seconds: secondsUntil(leaseUntilMs, nowMs), reason: "circuit_open" };
  }
  return { kind: "probe" };
}

function secondsUntil(atMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((atMs - nowMs) / 1000));
}

/**
 * Whether an outcome says the destination is unwell: no answer (refused, reset, timed out), a 5xx, 408 or 429.
 * Any other answer, a 4xx included, is the destination working: it fails that event, not the circuit.
 */
export function isCircuitFailure(outcome: AttemptOutcome): boolean {
  if (outcome.kind !== "response") return true;
  return outcome.status >= 500 || outcome.status === 408 || outcome.status === 429;
}

/**
 * The update an answered attempt makes: none when the destination has no failures to forget, so a healthy
 * destination's deliveries cost no write beyond their own (its last success is read from its events instead).
 */
export function updateAfterSuccess(seen: DestinationControl, nowMs: number, probe: boolean): ControlUpdate | undefined {
  if (probe || seen.circuit === "open") {
    return {
      set: { circuit: "closed", consecutiveFailures: 0, lastSuccessAtMs: nowMs },
      remove: ["openedAtMs", "probeAtMs", "probeDelaySeconds", "probeLeaseUntilMs"],
      change: { atMs: nowMs, change: "closed", by: "delivery", reason: probe ? "probe_answered" : "answered" },
    };
  }
  if (seen.consecutiveFailures === 0) return undefined;
  return { set: { consecutiveFailures: 0, lastSuccessAtMs: nowMs } };
}

/**
 * The update a failed attempt makes. A failed probe reopens the circuit with its wait doubled (up to the cap);
 * any other failure adds one to the run of failures (whether that opens the circuit is decided on the count the
 * write returns, {@link shouldOpen}).
 */
export function updateAfterFailure(
  seen: DestinationControl,
  outcome: AttemptOutcome,
  nowMs: number,
  probe: boolean,
  breaker: ResolvedCircuitBreaker,
): ControlUpdate {
  const reason = outcomeReason(outcome);
  const failure = { add: { consecutiveFailures: 1 }, set: { lastFailureAtMs: nowMs, lastFailureReason: reason } };
  if (!probe) return failure;
  const delay = Math.min(breaker.maxProbeAfterSeconds, 2 * (seen.probeDelaySeconds ?? breaker.probeAfterSeconds));
  return {
    ...failure,
    set: { ...failure.set, circuit: "open", probeAtMs: nowMs + delay * 1000, probeDelaySeconds: delay },
    remove: ["probeLeaseUntilMs"],
    change: { atMs: nowMs, change: "probe_failed", by: "delivery", reason },
  };
}

/** Whether a closed circuit opens, given the failures in a row now stored and this container's recent rate. */
export function shouldOpen(control: DestinationControl, breaker: ResolvedCircuitBreaker, rateExceeded: boolean) {
  return control.circuit !== "open" && (control.consecutiveFailures >= breaker.consecutiveFailures || rateExceeded);
}

/** The conditional update that opens a closed circuit (only one writer wins; the others see it open). */
export function openingUpdate(nowMs: number, breaker: ResolvedCircuitBreaker, reason: string): ControlUpdate {
  return {
    set: {
      circuit: "open",
      openedAtMs: nowMs,
      probeAtMs: nowMs + breaker.probeAfterSeconds * 1000,
      probeDelaySeconds: breaker.probeAfterSeconds,
    },
    remove: ["probeLeaseUntilMs"],
    change: { atMs: nowMs, change: "opened", by: "delivery", reason },
    condition: "attribute_not_exists(#circuit) OR #circuit <> :open",
    values: { ":open": "open" },
  };
}

/** The conditional update that takes an open circuit's probe: one job at a time, once its probe is due. */
export function probeLeaseUpdate(nowMs: number, timeoutMs: number): ControlUpdate {
  return {
    set: { probeLeaseUntilMs: nowMs + timeoutMs + PROBE_LEASE_SLACK_MS },
    condition:
      "#circuit = :open AND #probeAtMs <= :now AND (attribute_not_exists(#probeLeaseUntilMs) OR #probeLeaseUntilMs < :now)",
    values: { ":open": "open", ":now": nowMs },
  };
}

/**
 * The failure rate one delivery container sees for a destination over the breaker's window. Kept in memory:
 * counting every attempt in DynamoDB would cost a write per delivered event on one hot item. Each container sees
 * its share of the destination's traffic, so its rate estimates the destination's; `minimumAttempts` keeps a
 * container that saw three attempts from opening the circuit on two failures.
 */
export class FailureRateWindow {
  private readonly attempts: { atMs: number; failed: boolean }[] = [];
  private readonly breaker: ResolvedCircuitBreaker;

  constructor(breaker: ResolvedCircuitBreaker) {
    this.breaker = breaker;
  }

  record(nowMs: number, failed: boolean): void {
    this.attempts.push({ atMs: nowMs, failed });
    this.dropBefore(nowMs - this.breaker.windowSeconds * 1000);
  }

  exceeded(nowMs: number): boolean {
    this.dropBefore(nowMs - this.breaker.windowSeconds * 1000);
    if (this.attempts.length < this.breaker.minimumAttempts) return false;
    const failed = this.attempts.filter((attempt) => attempt.failed).length;
    return (failed * 100) / this.attempts.length >= this.breaker.failureRatePercent;
  }

  private dropBefore(cutoffMs: number): void {
    while (this.attempts.length > 0 && (this.attempts[0] as { atMs: number }).atMs < cutoffMs) this.attempts.shift();
  }
}
