import { OperatorUsageError } from "../errors.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import type { KeyRef } from "./keyRecord.ts";

/** The record a key names: `--table` and `--scope` (the console's table and scope fields), defaulted to the demo consumer's on a target that runs it (the local stack). */
export function keyRefOf(target: OperatorTarget, key: string, options: { table?: string; scope?: string }): KeyRef {
  const table = options.table ?? target.demoConsumer?.idempotencyTable;
  const scope = options.scope ?? (options.table === undefined ? target.demoConsumer?.scope : undefined);
  if (table === undefined) {
    throw new OperatorUsageError("missing_table", "Which consumer's records? Pass --table <its IDEMPOTENCY_TABLE>.");
  }
  if (scope === undefined) {
    throw new OperatorUsageError(
      "missing_scope",
      "Which scope? Pass --scope <the consumer's scope option, by default its Lambda function name>.",
    );
  }
  return { table, scope, key };
}
