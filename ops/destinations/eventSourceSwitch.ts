import {
  GetEventSourceMappingCommand,
  type LambdaClient,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { RefusedError } from "../errors.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import { mappingIs } from "./destinationView.ts";

/**
 * What receives a destination's jobs, and what a pause or a resume did to it: on AWS its event source mapping on
 * the delivery function (disabled while paused, so no poller receives), on the local stack its worker (which reads
 * the pause itself and stops polling), or nothing the operator can switch (a stack deployed before its
 * `DeliveryEventSources` output: the delivery still holds the jobs it receives, one receive each).
 */
export type Pollers =
  | { kind: "event_source_mapping"; uuid: string; state: string; changed: boolean }
  | { kind: "local_worker" }
  | { kind: "not_managed" };

function mappingOf(target: OperatorTarget, destination: string): { lambda: LambdaClient; uuid: string } | undefined {
  const uuid = target.eventSources?.get(destination);
  return uuid === undefined || target.lambda === undefined ? undefined : { lambda: target.lambda, uuid };
}

/** The mapping's state (`Enabled`, `Disabling`…), or undefined when the target names no mapping for it. */
export async function eventSourceState(target: OperatorTarget, destination: string): Promise<string | undefined> {
  const mapping = mappingOf(target, destination);
  if (mapping === undefined) return undefined;
  const out = await asOperator(`read the event source mapping of ${destination} (lambda:GetEventSourceMapping)`, () =>
    mapping.lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.uuid })),
  );
  return out.State ?? "unknown";
}

/**
 * Enables or disables `destination`'s event source mapping, unless it already is (or is becoming) so: one
 * `GetEventSourceMapping`, and an `UpdateEventSourceMapping` only when needed, so that running a pause or a resume
 * again only mends what a cut-off one left.
 * @throws RefusedError `event_source_busy` while Lambda is applying another change to it; TargetError from AWS
 */
export async function switchPollers(target: OperatorTarget, destination: string, enabled: boolean): Promise<Pollers> {
  if (target.kind === "local") return { kind: "local_worker" };
  const mapping = mappingOf(target, destination);
  if (mapping === undefined) return { kind: "not_managed" };
  const before = await eventSourceState(target, destination);
  if (mappingIs(before, enabled))
    return { kind: "event_source_mapping", uuid: mapping.uuid, state: before ?? "", changed: false };
  const verb = enabled ? "enable" : "disable";
  try {
    const out = await asOperator(
      `${verb} the event source mapping of ${destination} (lambda:UpdateEventSourceMapping)`,
      () => mapping.lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.uuid, Enabled: enabled })),
    );
    return { kind: "event_source_mapping", uuid: mapping.uuid, state: out.State ?? "unknown", changed: true };
  } catch (error) {
    // Lambda refuses an update while it applies another (state Updating, Creating…): a moment later it takes it.
    if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
    throw new RefusedError(
      "event_source_busy",
      `The event source mapping ${mapping.uuid} of ${destination} is applying another change (state ${before}): wait a few seconds.`,
      { cause: error },
    );
  }
}
