import { DEFAULT_RETRY_SCHEDULE_SECONDS, parseRetrySchedule } from "../../lambdas/delivery/retrySchedule.ts";
import { DEFAULT_PEAK_EVENTS_PER_SECOND } from "../../lambdas/shared/indexShards.ts";
import { TargetError } from "../errors.ts";
import type { CountingFunctions } from "../metrics/cloudWatchCounts.ts";
import type { GatewayResources } from "./operatorTarget.ts";

/** The stack outputs the CLI reads (`infra/oncegateStack.ts` writes them). */
export const STACK_OUTPUTS = {
  eventsTable: "EventsTableName",
  deliveryQueueUrl: "DeliveryQueueUrl",
  deadLetterQueueUrl: "DeadLetterQueueUrl",
  deadLetterQueueArn: "DeadLetterQueueArn",
  retryScheduleSeconds: "RetryScheduleSeconds",
  peakEventsPerSecond: "PeakEventsPerSecond",
  destinationIds: "DestinationIds",
  demoIdempotencyTable: "DemoIdempotencyTableName",
  intakeFunction: "IntakeFunctionName",
  deliveryFunction: "DeliveryFunctionName",
} as const;

const REQUIRED = ["eventsTable", "deliveryQueueUrl", "deadLetterQueueUrl", "deadLetterQueueArn"] as const;

/** What a stack's outputs say about the gateway. */
export interface StackResources {
  resources: GatewayResources;
  /** The demo consumer's table; its scope (the function's name) is not an output, so `keys` still needs `--scope`. */
  demoIdempotencyTable?: string;
  /** The functions whose metrics the console charts (both outputs present). */
  countingFunctions?: CountingFunctions;
}

/**
 * Reads the resources from a stack's outputs (`OutputKey` → `OutputValue`). A stack deployed before
 * `RetryScheduleSeconds` existed gets the default schedule, which is what it runs unless its config set another.
 * @throws TargetError naming the first missing output
 */
export function resourcesFromOutputs(stackName: string, outputs: ReadonlyMap<string, string>): StackResources {
  for (const field of REQUIRED) {
    if (!outputs.get(STACK_OUTPUTS[field])) {
      throw new TargetError(
        "not_an_oncegate_stack",
        `Stack ${stackName} has no output ${STACK_OUTPUTS[field]}: name an Oncegate stack, or deploy this version of it with npx cdk deploy.`,
      );
    }
  }
  const schedule = outputs.get(STACK_OUTPUTS.retryScheduleSeconds);
  const read = (field: (typeof REQUIRED)[number]) => outputs.get(STACK_OUTPUTS[field]) as string;
  const demoTable = outputs.get(STACK_OUTPUTS.demoIdempotencyTable);
  const intake = outputs.get(STACK_OUTPUTS.intakeFunction);
  const delivery = outputs.get(STACK_OUTPUTS.deliveryFunction);
  const destinationIds = outputs.get(STACK_OUTPUTS.destinationIds);
  return {
    resources: {
      eventsTable: read("eventsTable"),
      deliveryQueueUrl: read("deliveryQueueUrl"),
      deadLetterQueueUrl: read("deadLetterQueueUrl"),
      deadLetterQueueArn: read("deadLetterQueueArn"),
      retryScheduleSeconds: schedule ? parseRetrySchedule(schedule) : DEFAULT_RETRY_SCHEDULE_SECONDS,
      peakEventsPerSecond: peakFrom(outputs.get(STACK_OUTPUTS.peakEventsPerSecond)),
      ...(destinationIds !== undefined && { destinationIds: destinationIds.split(",").filter((id) => id !== "") }),
    },
    ...(demoTable && { demoIdempotencyTable: demoTable }),
    ...(intake && delivery && { countingFunctions: { intake, delivery } }),
  };
}

/** The output's peak, or the gateway's default when the output is absent; a malformed one is refused. */
function peakFrom(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PEAK_EVENTS_PER_SECOND;
  const peak = Number(text);
  if (!Number.isInteger(peak) || peak <= 0) {
    throw new TargetError(
      "not_an_oncegate_stack",
      `The stack's output ${STACK_OUTPUTS.peakEventsPerSecond} is ${JSON.stringify(text)}, not a whole number: redeploy it with npx cdk deploy.`,
    );
  }
  return peak;
}
