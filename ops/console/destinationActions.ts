import { type ControlResult, pauseDestination, resumeDestination } from "../destinations/destinationPause.ts";
import { OperatorUsageError } from "../errors.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";

/** The Destinations page's actions: `POST …/api/destinations/<id>/pause` and `…/resume`. */
export const DESTINATION_ACTION = /^\/api\/destinations\/([^/]+)\/(pause|resume)$/;

/**
 * `destinations pause|resume` from the page, with the console's identity: a pause takes an optional `reason`, a
 * resume nothing. The answer is the CLI's `--json` (`changed: false` when it already was so).
 * @throws OperatorUsageError `unknown_field`, `invalid_reason`, `unknown_destination`; what the library throws
 */
export async function destinationAction(
  target: OperatorTarget,
  nowMs: number,
  id: string,
  verb: "pause" | "resume",
  body: unknown,
): Promise<ControlResult> {
  const { reason, ...unknown } = (body ?? {}) as Record<string, unknown>;
  const extra = [...Object.keys(unknown), ...(verb === "resume" && reason !== undefined ? ["reason"] : [])];
  if (extra.length > 0) {
    throw new OperatorUsageError(
      "unknown_field",
      `A ${verb} takes ${verb === "pause" ? 'only "reason"' : "no field"}; not ${extra.join(", ")}.`,
    );
  }
  if (reason !== undefined && typeof reason !== "string") {
    throw new OperatorUsageError("invalid_reason", '"reason" must be a string.');
  }
  const actor = { identity: await target.identity(), nowMs };
  return verb === "pause"
    ? pauseDestination(target, id, { ...actor, ...(reason !== undefined && { reason }) })
    : resumeDestination(target, id, actor);
}
