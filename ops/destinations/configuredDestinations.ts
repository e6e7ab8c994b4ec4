import { OperatorUsageError, RefusedError } from "../errors.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";

/**
 * The target's destinations, as its configuration names them.
 * @throws RefusedError `destinations_unknown` for a stack deployed before its `DestinationIds` output
 */
export function configuredDestinations(target: OperatorTarget): readonly string[] {
  const configured = target.resources.destinationIds;
  if (configured === undefined) {
    throw new RefusedError(
      "destinations_unknown",
      `${target.label} does not list its destinations: redeploy it with this version (its DestinationIds output), then run this again.`,
    );
  }
  return configured;
}

/**
 * `id`, checked against the configured destinations before anything is written: a mistyped id would otherwise
 * pause a destination that does not exist, and the real one would go on.
 * @throws OperatorUsageError `unknown_destination` naming the configured ones; RefusedError `destinations_unknown`
 */
export function assertKnownDestination(target: OperatorTarget, id: string): void {
  const configured = configuredDestinations(target);
  if (configured.includes(id)) return;
  const known = configured.length === 0 ? "it has none" : `its destinations are ${configured.join(", ")}`;
  throw new OperatorUsageError(
    "unknown_destination",
    `${JSON.stringify(id)} is not a destination of ${target.label} (${known}): pass one of its ids.`,
  );
}
