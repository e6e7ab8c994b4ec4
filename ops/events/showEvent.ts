import { readBody } from "../../lambdas/delivery/deliveryStore.ts";
import { openBody } from "../../lambdas/shared/body/s3BodyStore.ts";
import { readEventHistory } from "../../lambdas/shared/eventHistory.ts";
import { eventRefOf } from "../deadLetters/eventRef.ts";
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
  options: { payload?: boolean } = {},
): Promise<EventDetail> {
  const table = { client: target.ddb, tableName: target.resources.eventsTable };
  const history = await readEventHistory(table, pk).catch((error: unknown) => {
    throw operatorFailureOf(error, `read the event from ${target.resources.eventsTable} (dynamodb:GetItem, Query)`);
  });
  if (history === undefined) throw noSuchEvent(pk);
  const detail = eventDetail(history.state, history.attempts);
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
