import {
  type ControlUpdate,
  type DestinationControl,
  readDestinationControl,
  updateDestinationControl,
} from "../../lambdas/shared/destinationControl.ts";
import { OperatorUsageError, RefusedError, TargetError } from "../errors.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { assertKnownDestination } from "./configuredDestinations.ts";
import { type DestinationState, stateOf } from "./destinationView.ts";
import { type Pollers, switchPollers } from "./eventSourceSwitch.ts";

/** Who pauses or resumes, and when. */
export interface ControlActor {
  /** The operator's identity (`target.identity()`), kept in the item and its history. */
  identity: string;
  /** @default Date.now() */
  nowMs?: number;
}

/** What a pause or a resume did: `changed` is false when the destination already was so (nothing written). */
export interface ControlResult {
  id: string;
  changed: boolean;
  state: DestinationState;
  pausedAtMs?: number;
  pausedBy?: string;
  pauseReason?: string;
  pollers: Pollers;
}

/** The longest reason a pause keeps (in the item and its history). */
export const MAX_REASON_CHARS = 200;

// Only a destination that is not paused is paused (a second pause keeps the first one's time, author and reason),
// only a paused one resumed: each change is in the history once.
const NOT_PAUSED = "attribute_not_exists(#paused) OR #paused = :false";
const PAUSED = "#paused = :true";

function pauseUpdate(reason: string | undefined, identity: string, nowMs: number): ControlUpdate {
  return {
    set: { paused: true, pausedAtMs: nowMs, pausedBy: identity, pauseReason: reason },
    ...(reason === undefined && { remove: ["pauseReason"] }),
    change: { atMs: nowMs, change: "paused", by: identity, ...(reason !== undefined && { reason }) },
    condition: NOT_PAUSED,
    values: { ":false": false },
  };
}

function resumeUpdate(identity: string, nowMs: number): ControlUpdate {
  return {
    set: { paused: false },
    remove: ["pausedAtMs", "pausedBy", "pauseReason"],
    change: { atMs: nowMs, change: "resumed", by: identity },
    condition: PAUSED,
    values: { ":true": true },
  };
}

/**
 * Pauses `id`: no attempt is made (none is consumed) until it is resumed; its jobs wait in its queue.
 *
 *   1. the control item: paused (conditional: an already paused destination is left as it is, `changed: false`);
 *      within about a second every delivery holds the destination's jobs instead of attempting them;
 *   2. then its pollers: on AWS its event source mapping is disabled, so no job is received at all (locally the
 *      worker reads the item and stops polling).
 *
 * The item first: it is what stops attempts, within a second, whereas a disabled mapping still lets the batches in
 * hand (and those of a poll under way) through; and it is what every view shows. Cut off between the two, the
 * destination reads paused and is: its jobs are received and held, each hold one receive; a second pause disables
 * the mapping (it is switched whenever it disagrees, so running the command again mends it).
 * @throws OperatorUsageError `unknown_destination`, `invalid_reason`; TargetError from AWS (for the mapping: saying
 *   the item is paused)
 */
export async function pauseDestination(
  target: OperatorTarget,
  id: string,
  request: ControlActor & { reason?: string },
): Promise<ControlResult> {
  assertKnownDestination(target, id);
  const reason = request.reason?.trim() || undefined;
  // Every delivery container reads the item once a second: a reason is a note, not a document.
  if (reason !== undefined && reason.length > MAX_REASON_CHARS) {
    throw new OperatorUsageError(
      "invalid_reason",
      `A pause's reason is at most ${MAX_REASON_CHARS} characters (this one has ${reason.length}): shorten it.`,
    );
  }
  const nowMs = request.nowMs ?? Date.now();
  const { control, changed } = await writeControl(target, id, pauseUpdate(reason, request.identity, nowMs));
  const pollers = await switchPollers(target, id, false).catch((error) => {
    throw halfDone(
      error,
      `Paused ${id}, but its event source mapping is still enabled (its jobs are received and held)`,
      `pause ${id}`,
    );
  });
  return resultOf(id, control, changed, pollers);
}

/**
 * Resumes `id`: attempts go again.
 *
 *   1. the control item: not paused (conditional: a destination not paused is left as it is, `changed: false`);
 *   2. then its pollers: the event source mapping enabled (locally the worker sees the item and polls again).
 *
 * The item first again: enabled first, the mapping's pollers would receive jobs the delivery still holds (15 s
 * each, a receive each) until the item changes; and cut off between the two, a resume that wrote only the item
 * leaves the jobs waiting, untouched, in the queue (kept 14 days), where the other order would leave them received
 * and held every 15 s, each receive bringing them closer to the dead-letter queue. A second resume enables the
 * mapping.
 * @throws OperatorUsageError `unknown_destination`; TargetError from AWS (for the mapping: saying the item is resumed)
 */
export async function resumeDestination(
  target: OperatorTarget,
  id: string,
  actor: ControlActor,
): Promise<ControlResult> {
  assertKnownDestination(target, id);
  const nowMs = actor.nowMs ?? Date.now();
  const { control, changed } = await writeControl(target, id, resumeUpdate(actor.identity, nowMs));
  const pollers = await switchPollers(target, id, true).catch((error) => {
    throw halfDone(
      error,
      `Resumed ${id}, but its event source mapping is still disabled (nothing receives its jobs)`,
      `resume ${id}`,
    );
  });
  return resultOf(id, control, changed, pollers);
}

/** The conditional write; when its condition failed, the item as it is (strongly consistent). */
async function writeControl(
  target: OperatorTarget,
  id: string,
  update: ControlUpdate,
): Promise<{ control: DestinationControl; changed: boolean }> {
  const table = { client: target.ddb, tableName: target.resources.eventsTable };
  const where = `update the control item of ${id} in ${table.tableName} (dynamodb:UpdateItem)`;
  const written = await asOperator(where, () => updateDestinationControl(table, id, update));
  if (written !== undefined) return { control: written, changed: true };
  const control = await asOperator(`read the control item of ${id} (dynamodb:GetItem)`, () =>
    readDestinationControl(table, id, { consistent: true }),
  );
  return { control, changed: false };
}

function resultOf(id: string, control: DestinationControl, changed: boolean, pollers: Pollers): ControlResult {
  return {
    id,
    changed,
    state: stateOf(control),
    ...(control.paused && control.pausedAtMs !== undefined && { pausedAtMs: control.pausedAtMs }),
    ...(control.paused && control.pausedBy !== undefined && { pausedBy: control.pausedBy }),
    ...(control.paused && control.pauseReason !== undefined && { pauseReason: control.pauseReason }),
    pollers,
  };
}

/**
 * A mapping that could not be switched after the item was written: the same code (access denied, throttled,
 * busy), in one sentence that says what was done, what was not, and to run the command again.
 */
function halfDone(error: unknown, done: string, command: string): unknown {
  if (!(error instanceof TargetError || error instanceof RefusedError)) return error;
  // "Your AWS identity may not…" reads on after a colon in lower case; "AWS throttled…" stays as it is.
  const why = error.message.replace(/\.$/, "").replace(/^[A-Z](?=[a-z])/, (first) => first.toLowerCase());
  const message = `${done}: ${why}, then run npx oncegate destinations ${command} again.`;
  const Kind = error instanceof TargetError ? TargetError : RefusedError;
  return new Kind(error.code, message, { cause: error });
}
