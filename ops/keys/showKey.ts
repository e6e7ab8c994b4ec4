import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { NotFoundError } from "../errors.ts";
import { type KeyRef, type KeyView, keyView, type StoredRecord } from "./keyRecord.ts";
import { recordIdOf } from "./keyRef.ts";
import { readKeyRecord } from "./keyStore.ts";

/** A record as read, with the operator's view of it. */
export interface ReadKey {
  view: KeyView;
  record: StoredRecord;
  recordId: string;
}

/**
 * Reads one consumer record and its audit trail (`keys show`).
 * @throws OperatorUsageError for a malformed key; NotFoundError when the table or the record does not exist
 */
export async function showKey(ddb: DynamoDBClient, input: KeyRef, nowMs: number): Promise<ReadKey> {
  const { ref, recordId } = recordIdOf(input);
  const { record, audit } = await readKeyRecord(ddb, ref.table, recordId);
  if (record === undefined) {
    throw new NotFoundError(
      "no_such_key",
      `There is no record of key ${ref.key} in scope ${ref.scope} of table ${ref.table} (never claimed, or expired): check the key, --scope and --table.`,
    );
  }
  return { view: keyView(ref, recordId, record, audit, nowMs), record, recordId };
}
