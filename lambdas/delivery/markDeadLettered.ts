import type { DeliveryJob } from "../shared/eventRecord.ts";
import {
  type DeliveryTable,
  readEvent,
  recordDestinationTransition,
  writeImpliedOverallStatus,
} from "./deliveryStore.ts";
import { DEAD_LETTERED_REASON, deadLetteredDestinationState } from "./destinationState.ts";
import { isTerminalDestinationStatus } from "./destinationStatus.ts";

/**
 * What {@link markDeadLettered} did: `marked` the destination DEAD; found it `alreadySettled` (DELIVERED, FAILED or
 * DEAD: its state is left as it is); or found the event `missing` (expired by TTL).
 */
export type DeadLetteredOutcome = "marked" | "alreadySettled" | "missing";

/**
 * Records on the event that SQS moved `job`, message `messageId`, to the dead-letter queue: what the delivery's last
 * receive does before SQS moves it (`deadLetteredDestinationState`), for a job whose last receive could not write
 * (DynamoDB failed, the invocation crashed or timed out). A destination still PENDING becomes DEAD `dead_lettered`
 * with `deadMessageId` = `messageId` (the DLQ keeps a message's id, so a redrive, which SQS sends with a new id, is
 * still told apart from it); then the overall status the destinations imply is written.
 *
 * A settled destination is not rewritten: read settled, nothing is written to it; settled between the read and the
 * write, the conditional write fails, and the transition recomputed on the state read again keeps it (only its write
 * token is renewed). Its overall status is still written if it lags (the last receive wrote the destination and
 * failed before the status); when none is due, nothing is written.
 * @throws the DynamoDB error when a read or a write failed (nothing is lost: the message stays in the DLQ)
 */
export async function markDeadLettered(
  table: DeliveryTable,
  job: DeliveryJob,
  messageId: string,
): Promise<DeadLetteredOutcome> {
  const item = await readEvent(table, job.pk);
  if (item === undefined) return "missing";
  const current = item.destinations?.[job.destination];
  if (current !== undefined && isTerminalDestinationStatus(current.status)) {
    await writeImpliedOverallStatus(table, item);
    return "alreadySettled";
  }
  const transition = deadLetteredDestinationState(messageId);
  const updated = await recordDestinationTransition(table, item, job.destination, transition);
  if (updated === undefined) return "missing";
  await writeImpliedOverallStatus(table, updated);
  const stored = updated.destinations?.[job.destination];
  return stored?.reason === DEAD_LETTERED_REASON && stored.deadMessageId === messageId ? "marked" : "alreadySettled";
}
