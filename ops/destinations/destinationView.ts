import type { ControlChange, DestinationControl } from "../../lambdas/shared/destinationControl.ts";

/**
 * What an operator sees of a destination (`destinations list`, the console's Destinations page): its control item
 * (`lambdas/shared/destinationControl.ts`) and its job queue's depth. Pure: the reads are `listDestinations`'.
 */

/**
 * `active`: attempts go. `paused`: an operator paused it; its jobs wait, no attempt is made or consumed. `open`: its
 * circuit breaker opened; jobs wait for the next probe. A pause wins: a paused destination whose circuit is also
 * open reads `paused`, since nothing is attempted until it is resumed, probe or not.
 */
export type DestinationState = "active" | "paused" | "open";

/** A job queue's depth (SQS's approximate counts). */
export interface QueueDepth {
  /** Waiting to be received: visible, or delayed (a job sent with a delay). */
  backlog: number;
  /** Received and not yet deleted: being delivered, or hidden until its next attempt (a retry, a held job). */
  inFlight: number;
}

/** One destination, as `destinations list --json` prints it (times in epoch milliseconds). */
export interface DestinationView extends QueueDepth {
  id: string;
  state: DestinationState;
  /** Failures in a row (no answer, 5xx, 408, 429) since its last success. */
  consecutiveFailures: number;
  lastFailureAtMs?: number;
  lastFailureReason?: string;
  /**
   * The success that last ended a run of failures: the delivery writes no success of a healthy destination (that
   * would be a write per delivery), so a destination that never failed has none here.
   */
  lastSuccessAtMs?: number;
  openedAtMs?: number;
  /** When an open circuit lets its next probe through. */
  probeAtMs?: number;
  pausedAtMs?: number;
  pausedBy?: string;
  pauseReason?: string;
  /**
   * Its event source mapping's state on AWS (`Enabled`, `Disabled`, `Disabling`…), when the stack names it: a
   * paused destination's is disabled, an active one's enabled (see {@link pollersMismatch}).
   */
  eventSourceState?: string;
  /** The latest changes (paused, resumed, opened, closed, probe_failed), oldest first. */
  history: ControlChange[];
}

export function stateOf(control: DestinationControl): DestinationState {
  if (control.paused) return "paused";
  return control.circuit === "open" ? "open" : "active";
}

/** The view of one destination from its control item, its queue's depth and its mapping's state (if any). */
export function destinationView(
  control: DestinationControl,
  depth: QueueDepth,
  eventSourceState?: string,
): DestinationView {
  const open = control.circuit === "open";
  return {
    id: control.destination,
    state: stateOf(control),
    backlog: depth.backlog,
    inFlight: depth.inFlight,
    consecutiveFailures: control.consecutiveFailures,
    ...(control.lastFailureAtMs !== undefined && { lastFailureAtMs: control.lastFailureAtMs }),
    ...(control.lastFailureReason !== undefined && { lastFailureReason: control.lastFailureReason }),
    ...(control.lastSuccessAtMs !== undefined && { lastSuccessAtMs: control.lastSuccessAtMs }),
    ...(open && control.openedAtMs !== undefined && { openedAtMs: control.openedAtMs }),
    ...(open && control.probeAtMs !== undefined && { probeAtMs: control.probeAtMs }),
    ...(control.paused && control.pausedAtMs !== undefined && { pausedAtMs: control.pausedAtMs }),
    ...(control.paused && control.pausedBy !== undefined && { pausedBy: control.pausedBy }),
    ...(control.paused && control.pauseReason !== undefined && { pauseReason: control.pauseReason }),
    ...(eventSourceState !== undefined && { eventSourceState }),
    history: control.history,
  };
}

const RECEIVING = new Set(["Enabled", "Enabling"]);
const STOPPED = new Set(["Disabled", "Disabling"]);

/**
 * Whether the mapping disagrees with the pause, as a pause or a resume cut off between its two writes leaves it:
 * `receiving_while_paused` (its jobs are received and held, each hold a receive towards the dead-letter queue) or
 * `stopped_while_active` (nothing receives its jobs). Running the same command again mends either.
 */
export function pollersMismatch(
  view: Pick<DestinationView, "state" | "eventSourceState">,
): "receiving_while_paused" | "stopped_while_active" | undefined {
  if (view.eventSourceState === undefined) return undefined;
  if (view.state === "paused" && RECEIVING.has(view.eventSourceState)) return "receiving_while_paused";
  if (view.state !== "paused" && STOPPED.has(view.eventSourceState)) return "stopped_while_active";
  return undefined;
}

/** Whether a mapping in `state` already is (or is becoming) what `enabled` asks. */
export function mappingIs(state: string | undefined, enabled: boolean): boolean {
  return state !== undefined && (enabled ? RECEIVING : STOPPED).has(state);
}
