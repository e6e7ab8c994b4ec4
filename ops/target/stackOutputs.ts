import { DEFAULT_RETRY_SCHEDULE_SECONDS, parseRetrySchedule } from "../../lambdas/delivery/retrySchedule.ts";
import { TargetError } from "../errors.ts";
import type { GatewayResources } from "./operatorTarget.ts";

/** The stack outputs the CLI reads (`infra/oncegateStack.ts` writes them). */
export const STACK_OUTPUTS = {
  eventsTable: "EventsTableName",
  deliveryQueueUrl: "DeliveryQueueUrl",
  deadLetterQueueUrl: "DeadLetterQueueUrl",
  deadLetterQueueArn: "DeadLetterQueueArn",
  retryScheduleSeconds: "RetryScheduleSeconds",
  demoIdempotencyTable: "DemoIdempotencyTableName",
} as const;

const REQUIRED = ["eventsTable", "deliveryQueueUrl", "deadLetterQueueUrl", "deadLetterQueueArn"] as const;

/** What a stack's outputs say about the gateway. */
export interface StackResources {
  resources: GatewayResources;
  /** The demo consumer's table; its scope (the function's name) is not an output, so `keys` still needs `--scope`. */
  demoIdempotencyTable?: string;
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
  return {
    resources: {
      eventsTable: read("eventsTable"),
      deliveryQueueUrl: read("deliveryQueueUrl"),
      deadLetterQueueUrl: read("deadLetterQueueUrl"),
      deadLetterQueueArn: read("deadLetterQueueArn"),
      retryScheduleSeconds: schedule ? parseRetrySchedule(schedule) : DEFAULT_RETRY_SCHEDULE_SECONDS,
    },
    ...(demoTable && { demoIdempotencyTable: demoTable }),
  };
}
