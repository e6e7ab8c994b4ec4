import type { ResolvedCircuitBreaker } from "../shared/circuitBreakerConfig.ts";
import type { Clock } from "../shared/clock.ts";
import {
  type ControlUpdate,
  type DestinationControl,
  readDestinationControl,
  updateDestinationControl,
} from "../shared/destinationControl.ts";
import { errorCodeOf } from "../shared/errors.ts";
import type { EventsTable } from "../shared/eventStore.ts";
import type { Logger } from "../shared/logger.ts";
import {
  type Admission,
  admissionOf,
  FailureRateWindow,
  type HoldReason,
  isCircuitFailure,
  openingUpdate,
  probeLeaseUpdate,
  shouldOpen,
  updateAfterFailure,
  updateAfterSuccess,
} from "./circuitBreaker.ts";
import { type AttemptOutcome, outcomeReason } from "./retryPolicy.ts";

/** What the delivery asks before and tells after each attempt. */
export interface DestinationGate {
  /**
   * Whether a job of `destination` may be attempted now: `attempt` (with `probe` when it is an open circuit's one
   * attempt), or `hold` for so many seconds, consuming no attempt.
   * @throws when DynamoDB fails: the caller backs the job off like any other read failure
   */
  admit(destination: string, timeoutMs: number): Promise<GateAnswer>;
  /** Records an attempt's outcome on the destination's circuit. Never throws: the attempt itself is recorded apart. */
  recordOutcome(destination: string, outcome: AttemptOutcome, probe: boolean): Promise<void>;
}

export type GateAnswer = { kind: "attempt"; probe: boolean } | { kind: "hold"; seconds: number; reason: HoldReason };

export interface DestinationGateOptions {
  table: EventsTable;
  clock: Clock;
  /** Each destination's breaker, or `false` when it has none (it can still be paused). */
  breakers: ReadonlyMap<string, ResolvedCircuitBreaker | false>;
  logger: Logger;
  /** Counts a circuit this container opened (the `CircuitOpened` alarm's metric). */
  countOpened?: (destination: string) => void;
  /** How long a read of the control item is reused. @default {@link CONTROL_CACHE_MS} */
  cacheMs?: number;
}

/**
 * How long a container reuses a destination's control item: one eventually consistent read per destination and
 * second, whatever the rate. A pause or a circuit opened elsewhere is seen within about that long (plus the
 * read's own staleness); the jobs attempted in between are attempts the destination could have had anyway.
 */
export const CONTROL_CACHE_MS = 1_000;

/** The control item, read at most once a second per destination and kept current with this container's writes. */
export function createDestinationGate(options: DestinationGateOptions): DestinationGate {
  const { table, clock, logger } = options;
  const cacheMs = options.cacheMs ?? CONTROL_CACHE_MS;
  const cache = new Map<string, { control: DestinationControl; readAtMs: number }>();
  const windows = new Map<string, FailureRateWindow>();

  // A batch's records run at once: they share one read in flight rather than each sending its own.
  const reading = new Map<string, Promise<DestinationControl>>();

  async function current(destination: string): Promise<DestinationControl> {
    const nowMs = clock.nowMs();
    const cached = cache.get(destination);
    if (cached !== undefined && nowMs - cached.readAtMs < cacheMs) return cached.control;
    const inFlight = reading.get(destination);
    if (inFlight !== undefined) return inFlight;
    const read = readDestinationControl(table, destination).then((control) => {
      cache.set(destination, { control, readAtMs: nowMs });
      return control;
    });
    reading.set(destination, read);
    try {
      return await read;
    } finally {
      reading.delete(destination);
    }
  }

  async function apply(destination: string, update: ControlUpdate): Promise<DestinationControl | undefined> {
    const written = await updateDestinationControl(table, destination, update);
    if (written !== undefined) cache.set(destination, { control: written, readAtMs: clock.nowMs() });
    else cache.delete(destination);
    return written;
  }

  function windowOf(destination: string, breaker: ResolvedCircuitBreaker): FailureRateWindow {
    let window = windows.get(destination);
    if (window === undefined) {
      window = new FailureRateWindow(breaker);
      windows.set(destination, window);
    }
    return window;
  }

  async function admit(destination: string, timeoutMs: number): Promise<GateAnswer> {
    const control = await current(destination);
    const admission: Admission = admissionOf(control, clock.nowMs());
    if (admission.kind === "attempt") return { kind: "attempt", probe: false };
    if (admission.kind === "hold") return admission;
    const nowMs = clock.nowMs();
    const leased = await apply(destination, probeLeaseUpdate(nowMs, timeoutMs));
    if (leased !== undefined) {
      logger({ level: "info", msg: "oncegate.delivery.circuit_probe", destination });
      return { kind: "attempt", probe: true };
    }
    // Another job took the probe (or the circuit closed): decide again on what is stored now.
    const fresh = await current(destination);
    const again = admissionOf(fresh, clock.nowMs());
    if (again.kind === "hold") return again;
    if (again.kind === "attempt") return { kind: "attempt", probe: false };
    return { kind: "hold", seconds: 1, reason: "circuit_open" };
  }

  async function recordOutcome(destination: string, outcome: AttemptOutcome, probe: boolean): Promise<void> {
    const breaker = options.breakers.get(destination);
    if (breaker === undefined || breaker === false) return;
    try {
      const nowMs = clock.nowMs();
      const seen = await current(destination);
      const failed = isCircuitFailure(outcome);
      const window = windowOf(destination, breaker);
      window.record(nowMs, failed);
      if (!failed) {
        const update = updateAfterSuccess(seen, nowMs, probe);
        if (update === undefined) return;
        const written = await apply(destination, update);
        if (written !== undefined && seen.circuit === "open") {
          logger({ level: "warn", msg: "oncegate.delivery.circuit_closed", destination });
        }
        return;
      }
      const written = await apply(destination, updateAfterFailure(seen, outcome, nowMs, probe, breaker));
      if (written === undefined || probe) return;
      if (!shouldOpen(written, breaker, window.exceeded(nowMs))) return;
      const reason = outcomeReason(outcome);
      const opened = await apply(destination, openingUpdate(clock.nowMs(), breaker, reason));
      if (opened !== undefined) {
        logger({
          level: "warn",
          msg: "oncegate.delivery.circuit_opened",
          destination,
          reason,
          consecutiveFailures: written.consecutiveFailures,
        });
        options.countOpened?.(destination);
      }
    } catch (error) {
      // DynamoDB refused or failed the write (a throttled hot item in a failure storm): the attempt is recorded in
      // its event regardless; the breaker counts the next failure.
      logger({ level: "warn", msg: "oncegate.delivery.circuit_write_failed", destination, error: errorCodeOf(error) });
    }
  }

  return { admit, recordOutcome };
}
