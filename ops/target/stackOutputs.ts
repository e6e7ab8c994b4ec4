import { DEFAULT_RETRY_SCHEDULE_SECONDS, parseRetrySchedule } from "../../lambdas/delivery/retrySchedule.ts";
import { isTemplate } from "../../lambdas/shared/deadLetterQueues.ts";
import { InvalidConfigurationError } from "../../lambdas/shared/errors.ts";
import { DEFAULT_PEAK_EVENTS_PER_SECOND } from "../../lambdas/shared/indexShards.ts";
import { checkedJobQueueUrl, DESTINATION_PLACEHOLDER } from "../../lambdas/shared/jobQueueUrl.ts";
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
  /** `<id>=<uuid>,…`: each destination's event source mapping (`eventSourceOutputs.ts` reads it). */
  deliveryEventSources: "DeliveryEventSources",
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
 * The queue outputs are a shared queue's URL and ARN or templates naming one queue per destination (`{destination}`
 * in the queue's name), checked as the Lambdas check theirs (`checkedJobQueueUrl`).
 * @throws TargetError `not_an_oncegate_stack` naming the first missing output, or a malformed queue output
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
  const ids = destinationIds?.split(",").filter((id) => id !== "") ?? [];
  const queueUrl = (field: "deliveryQueueUrl" | "deadLetterQueueUrl") =>
    checkedQueueOutput(stackName, STACK_OUTPUTS[field], () =>
      checkedJobQueueUrl(STACK_OUTPUTS[field], read(field), ids),
    );
  const deadLetterQueueUrl = queueUrl("deadLetterQueueUrl");
  const deadLetterQueueArn = checkedQueueOutput(stackName, STACK_OUTPUTS.deadLetterQueueArn, () =>
    checkedQueueArn(read("deadLetterQueueArn"), isTemplate(deadLetterQueueUrl)),
  );
  return {
    resources: {
      eventsTable: read("eventsTable"),
      deliveryQueueUrl: queueUrl("deliveryQueueUrl"),
      deadLetterQueueUrl,
      deadLetterQueueArn,
      retryScheduleSeconds: schedule ? parseRetrySchedule(schedule) : DEFAULT_RETRY_SCHEDULE_SECONDS,
      peakEventsPerSecond: peakFrom(outputs.get(STACK_OUTPUTS.peakEventsPerSecond)),
      ...(destinationIds !== undefined && { destinationIds: ids }),
    },
    ...(demoTable && { demoIdempotencyTable: demoTable }),
    ...(intake && delivery && { countingFunctions: { intake, delivery } }),
  };
}

/** `check()`'s queue output; its refusal as the operator's: a stack whose outputs no gateway of ours writes. */
function checkedQueueOutput(stackName: string, output: string, check: () => string): string {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    throw new TargetError(
      "not_an_oncegate_stack",
      `The output ${output} of stack ${stackName} ${error.problem}, which no Oncegate stack writes: redeploy it with npx cdk deploy.`,
      { cause: error },
    );
  }
}

// arn:<partition>:sqs:<region>:<account>:<queue name>
const QUEUE_ARN = /^arn:[a-z-]+:sqs:[a-z0-9-]*:[0-9]*:[^:]+$/;

/**
 * The DLQ's ARN: an SQS queue's ARN, with `{destination}` once in its queue name exactly when the URL has it (the
 * two name the same queues; a template beside a shared queue's ARN would start move tasks on one queue only).
 * @throws InvalidConfigurationError naming the output
 */
function checkedQueueArn(arn: string, urlIsTemplate: boolean): string {
  const output = STACK_OUTPUTS.deadLetterQueueArn;
  const count = arn.split(DESTINATION_PLACEHOLDER).length - 1;
  const queueName = arn.slice(arn.lastIndexOf(":") + 1);
  const misplaced = count === 1 && !queueName.includes(DESTINATION_PLACEHOLDER);
  if (!QUEUE_ARN.test(arn.replace(DESTINATION_PLACEHOLDER, "destination")) || count > 1 || misplaced)
    throw new InvalidConfigurationError(
      output,
      `is not an SQS queue's ARN (with ${DESTINATION_PLACEHOLDER} at most once, in the queue's name)`,
    );
  if ((count === 1) !== urlIsTemplate)
    throw new InvalidConfigurationError(
      output,
      urlIsTemplate
        ? `has no ${DESTINATION_PLACEHOLDER}, but ${STACK_OUTPUTS.deadLetterQueueUrl} does`
        : `holds ${DESTINATION_PLACEHOLDER}, but ${STACK_OUTPUTS.deadLetterQueueUrl} does not`,
    );
  return arn;
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
