import { readBody } from "../../lambdas/delivery/deliveryStore.ts";
import { destinationIdsOf } from "../../lambdas/delivery/overallStatus.ts";
import { openBody } from "../../lambdas/shared/body/s3BodyStore.ts";
import { readEventHistory } from "../../lambdas/shared/eventHistory.ts";
import type { EventState } from "../../lambdas/shared/eventRecord.ts";
import { eventRefOf } from "../deadLetters/eventRef.ts";
import { scanDeadLetters } from "../deadLetters/listDeadLetters.ts";
import { deadLetterQueuesOfTarget, eachDeadLetterQueue } from "../deadLetters/targetDeadLetterQueues.ts";
import { NotFoundError } from "../errors.ts";
import { operatorFailureOf } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { type EventDetail, eventDetail, payloadView } from "./eventViews.ts";

/**
 * The whole life of one event: its state (strongly consistent), every attempt in the order made, and with
 * `payload` its signed bytes (inline: one GetItem; in the body bucket: one GetObject, checked against its SHA-256).
 * @throws NotFoundError `no_such_event`
 */
export async function showEvent(
  target: OperatorTarget,
  pk: string,
  options: { payload?: boolean; deadLetters?: boolean; nowMs?: () => number } = {},
): Promise<EventDetail> {
  const table = { client: target.ddb, tableName: target.resources.eventsTable };
  const history = await readEventHistory(table, pk).catch((error: unknown) => {
    throw operatorFailureOf(error, `read the event from ${target.resources.eventsTable} (dynamodb:GetItem, Query)`);
  });
  if (history === undefined) throw noSuchEvent(pk);
  const detail = eventDetail(history.state, history.attempts);
  const dead = Object.values(detail.destinations).some((destination) => destination.status === "DEAD");
  if (dead && options.deadLetters !== false) {
    detail.deadLetterQueue = await deadLetterJobs(target, history.state, options.nowMs ?? Date.now);
  }
  if (!options.payload) return detail;
  const bytes = await readPayload(target, history.state).catch((error: unknown) => {
    throw operatorFailureOf(error, "read the event's body (dynamodb:GetItem or s3:GetObject)");
  });
  if (bytes === undefined)
    throw new NotFoundError("no_body", `The body of ${describe(pk)} is gone (expired): only its state is left.`);
  return { ...detail, payload: payloadView(bytes) };
}

async function readPayload(
  target: OperatorTarget,
  state: Parameters<typeof eventDetail>[0],
): Promise<Uint8Array | undefined> {
  if (state.body?.kind !== "s3") {
    return readBody({ client: target.ddb, tableName: target.resources.eventsTable }, state.pk);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await openBody(target.s3, state.body)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Most messages `events show` reads of each dead-letter queue, looking for the event's jobs. */
export const DEAD_LETTERS_LOOKED_AT = 100;

/**
 * The event's jobs in the dead-letter queues of its destinations (one shared queue locally): the first
 * {@link DEAD_LETTERS_LOOKED_AT} messages of each are received with a short visibility timeout and given back (as
 * `dlq list` does), never deleted. `checked` is `all` when every queue held fewer.
 */
async function deadLetterJobs(target: OperatorTarget, state: EventState, nowMs: () => number) {
  const queues = deadLetterQueuesOfTarget(target, destinationIdsOf(state));
  const read = await eachDeadLetterQueue(queues, (queue) =>
    scanDeadLetters(target, [queue], { max: DEAD_LETTERS_LOOKED_AT, nowMs }),
  );
  const jobs = read
    .flat()
    .filter((letter) => letter.view.pk === state.pk)
    .map(({ view }) => ({
      destination: view.destination ?? "",
      messageId: view.messageId,
      receiveCount: view.receiveCount,
    }));
  const all = read.every((letters) => letters.length < DEAD_LETTERS_LOOKED_AT);
  return { checked: all ? ("all" as const) : ("first" as const), jobs };
}

export function describe(pk: string): string {
  const ref = eventRefOf(pk);
  return ref === undefined ? pk : `${ref.provider}/${ref.eventId}`;
}

export function noSuchEvent(pk: string): NotFoundError {
  return new NotFoundError(
    "no_such_event",
    `There is no event ${describe(pk)} (never accepted, or expired after 7 days): run events list to see what is stored.`,
  );
}
