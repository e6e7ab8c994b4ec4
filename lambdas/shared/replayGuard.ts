import { createHash } from "node:crypto";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { toEpochSec } from "./clock.ts";
import { OncegateGatewayError } from "./errors.ts";
import type { EventsTable } from "./eventStore.ts";
import { callOptions, type RequestDeadline } from "./requestDeadline.ts";

/**
 * The opt-in replay guard (`replayWindowSeconds`). Schemes whose event id is an unsigned header (GitHub, Shopify,
 * generic with a header id) accept a captured signed body re-sent under a fresh id as a new event. With the guard,
 * the intake first writes a marker keyed on a digest of the signed bytes, naming the event that sent them, TTL'd
 * to the window: the same bytes under another id within the window are refused, and nothing else is written.
 *
 * The marker lives in the events table under `pk = replay#<provider>#<base64url SHA-256 of the body>`,
 * `sk = "replay"`. An event key is `<provider>#<percent-encoded id>` and a percent-encoded id never holds `#`, so a
 * marker key (two `#`) can never be an event's. Markers carry no index keys: no index ever sees them.
 */

/** Thrown when a signed body already accepted under another event id is sent again within the window. */
export class ReplayedBodyError extends OncegateGatewayError {
  override readonly name: string = "ReplayedBodyError";
  constructor(options?: ErrorOptions) {
    super("replayed_body", "this signed body was already accepted under another event id", options);
  }
}

/** The marker's sort key (its partition key is its own: one item per digest). */
export const REPLAY_MARKER_SK = "replay";

/** The marker's partition key for `provider`'s `rawBody`. */
export function replayMarkerKey(provider: string, rawBody: Uint8Array): string {
  return `replay#${provider}#${createHash("sha256").update(rawBody).digest("base64url")}`;
}

export interface ReplayClaim {
  provider: string;
  rawBody: Uint8Array;
  /** The event the bytes belong to: the same bytes under the same id (a provider's retry) pass again. */
  eventPk: string;
  windowSeconds: number;
  nowMs: number;
}

/**
 * Writes the marker, or refreshes it for the same event. One conditional PutItem: it passes when there is no
 * marker, when the marker names this same event (a retry), or when it has expired but TTL has not removed it yet.
 * @throws ReplayedBodyError when the marker names another event
 */
export async function claimSignedBody(
  table: EventsTable,
  claim: ReplayClaim,
  deadline?: RequestDeadline,
): Promise<void> {
  const nowSec = toEpochSec(claim.nowMs);
  try {
    await table.client.send(
      new PutItemCommand({
        TableName: table.tableName,
        Item: {
          pk: { S: replayMarkerKey(claim.provider, claim.rawBody) },
          sk: { S: REPLAY_MARKER_SK },
          kind: { S: "replay-marker" },
          eventPk: { S: claim.eventPk },
          expiresAt: { N: String(nowSec + claim.windowSeconds) },
        },
        ConditionExpression: "attribute_not_exists(#pk) OR #eventPk = :eventPk OR #expiresAt < :now",
        ExpressionAttributeNames: { "#pk": "pk", "#eventPk": "eventPk", "#expiresAt": "expiresAt" },
        ExpressionAttributeValues: { ":eventPk": { S: claim.eventPk }, ":now": { N: String(nowSec) } },
      }),
      callOptions(deadline, "PutItem (replay marker)"),
    );
  } catch (error) {
    if ((error as { name?: string }).name === "ConditionalCheckFailedException") {
      throw new ReplayedBodyError({ cause: error });
    }
    throw error;
  }
}
