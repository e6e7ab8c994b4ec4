import { OncegateSdkError } from "../../sdk/errors.ts";
import { normalizeIdempotencyKey, recordId } from "../../sdk/idempotencyKey.ts";
import { OperatorUsageError } from "../errors.ts";
import type { KeyRef } from "./keyRecord.ts";

/**
 * Checks the key as the SDK would read it from a request (trimmed; not blank, at most 255 characters, no control
 * characters) and returns the record's id, derived exactly as the SDK derives it.
 * @throws OperatorUsageError `invalid_key`, `invalid_scope`, `invalid_table`
 */
export function recordIdOf(ref: KeyRef): { ref: KeyRef; recordId: string } {
  if (ref.table.trim() === "")
    throw new OperatorUsageError("invalid_table", "The table name is empty: pass --table <name>.");
  if (ref.scope === "") throw new OperatorUsageError("invalid_scope", "The scope is empty: pass --scope <scope>.");
  let key: string;
  try {
    key = normalizeIdempotencyKey(ref.key);
  } catch (error) {
    if (!(error instanceof OncegateSdkError)) throw error;
    throw new OperatorUsageError(
      "invalid_key",
      `The key is not one the SDK accepts (${error.message}): pass the Idempotency-Key exactly as delivered, e.g. whk_….`,
      { cause: error },
    );
  }
  const normalized = { ...ref, key };
  return { ref: normalized, recordId: recordId(ref.scope, key) };
}
