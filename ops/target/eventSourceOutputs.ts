import { TargetError } from "../errors.ts";
import { STACK_OUTPUTS } from "./stackOutputs.ts";

// A destination id (`parseGatewayConfig`), `=`, an event source mapping's UUID.
const PAIR = /^([a-z0-9][a-z0-9-]{0,62})=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * Each destination's event source mapping, from the stack's `DeliveryEventSources` output (`<id>=<uuid>,…`,
 * `infra/oncegateStack.ts`): what `destinations pause` disables and `resume` enables. Undefined for a stack deployed
 * before that output: a pause there still holds the destination's jobs (the delivery reads it), but its pollers
 * keep receiving them.
 * @throws TargetError `not_an_oncegate_stack` for a value no Oncegate stack writes
 */
export function eventSourcesFromOutputs(
  stackName: string,
  outputs: ReadonlyMap<string, string>,
): ReadonlyMap<string, string> | undefined {
  const output = outputs.get(STACK_OUTPUTS.deliveryEventSources);
  if (output === undefined) return undefined;
  const sources = new Map<string, string>();
  for (const pair of output.split(",").filter((part) => part !== "")) {
    const match = PAIR.exec(pair.trim());
    if (match === null || sources.has(match[1] as string)) {
      throw new TargetError(
        "not_an_oncegate_stack",
        `The output ${STACK_OUTPUTS.deliveryEventSources} of stack ${stackName} holds ${JSON.stringify(pair)}, not <destination id>=<event source mapping UUID> once per destination: redeploy it with npx cdk deploy.`,
      );
    }
    sources.set(match[1] as string, match[2] as string);
  }
  return sources;
}
