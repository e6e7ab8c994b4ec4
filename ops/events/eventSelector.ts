import { eventPartitionKey, idempotencyKeyFor } from "../../lambdas/shared/eventKey.ts";
import { walkIndex } from "../../lambdas/shared/eventListing.ts";
import { indexShardCounts } from "../../lambdas/shared/indexShards.ts";
import { eventRefOf } from "../deadLetters/eventRef.ts";
import { NotFoundError, OperatorUsageError } from "../errors.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";

/** `whk_` + 43 base64url characters: what `idempotencyKeyFor` gives. */
const IDEMPOTENCY_KEY = /^whk_[A-Za-z0-9_-]{43}$/;

/** How far back a key is looked for: the events' retention (7 days) unless the operator narrows it. */
export const KEY_SEARCH_DAYS = 7;

/**
 * The events-table key of the event an operator names: `<provider> <eventId>`, or its `Idempotency-Key` alone.
 * A key is a hash of the provider and the id: it is found by walking the listing index (keys only, newest first,
 * received since `sinceMs`) and hashing each entry's provider and id, never by a Scan or a read of the states.
 * @throws OperatorUsageError `invalid_event` for a malformed name; NotFoundError `no_such_key` when no event
 * received in the window has that key
 */
export async function resolveEventPk(
  target: OperatorTarget,
  args: readonly string[],
  options: { nowMs: number; sinceMs?: number },
): Promise<string> {
  const [first = "", second] = args;
  if (second !== undefined) {
    try {
      return eventPartitionKey(first, second);
    } catch (error) {
      throw new OperatorUsageError(
        "invalid_event",
        `${first} ${JSON.stringify(second)} names no event (${(error as Error).message}): pass <provider> <eventId> or an Idempotency-Key.`,
        { cause: error },
      );
    }
  }
  if (!IDEMPOTENCY_KEY.test(first)) {
    throw new OperatorUsageError(
      "invalid_event",
      `${JSON.stringify(first)} is neither <provider> <eventId> nor an Idempotency-Key (whk_ and 43 characters): pass one of them.`,
    );
  }
  const table = { client: target.ddb, tableName: target.resources.eventsTable };
  const shards = indexShardCounts(target.resources.peakEventsPerSecond);
  const sinceMs = options.sinceMs ?? options.nowMs - KEY_SEARCH_DAYS * 86_400_000;
  for await (const batch of walkIndex(table, shards, { sinceMs, untilMs: options.nowMs })) {
    for (const { pk } of batch) {
      const ref = eventRefOf(pk);
      if (ref !== undefined && idempotencyKeyFor(ref.provider, ref.eventId) === first) return pk;
    }
  }
  throw new NotFoundError(
    "no_such_key",
    `No event received since ${new Date(sinceMs).toISOString()} has the Idempotency-Key ${first}: check it, or pass <provider> <eventId> (or --since to look further back).`,
  );
}
