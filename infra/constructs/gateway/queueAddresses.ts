import { ArnFormat, Stack } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { ENV } from "../../../lambdas/shared/environment.ts";
import { checkedJobQueueUrl } from "../../../lambdas/shared/jobQueueUrl.ts";
import { deadLetterQueueName, jobQueueName } from "./resourceNames.ts";

/**
 * Every destination's queues at once, as templates whose `{destination}` is a destination id (`jobQueueUrl` in
 * `lambdas/shared/jobQueueUrl.ts` fills it in), and as IAM patterns.
 */
export interface QueueAddresses {
  /** `https://sqs.<region>.<url suffix>/<account>/<base>-{destination}`: `ONCEGATE_DELIVERY_QUEUE_URL`. */
  readonly jobQueueUrlTemplate: string;
  /** `https://sqs.<region>.<url suffix>/<account>/<base>-{destination}-dlq`: `ONCEGATE_DEAD_LETTER_QUEUE_URL`. */
  readonly deadLetterQueueUrlTemplate: string;
  /** `arn:<partition>:sqs:<region>:<account>:<base>-{destination}-dlq`: what a move task starts from. */
  readonly deadLetterQueueArnTemplate: string;
  /** `arn:…:<base>-*`: every job queue and dead-letter queue of the gateway. */
  readonly anyQueueArn: string;
  /** `arn:…:<base>-*-dlq`: every dead-letter queue of the gateway (no destination id ends with `-dlq`). */
  readonly anyDeadLetterQueueArn: string;
}

// Stand-ins for the deploy-time parts of a queue URL: only its last path segment, the queue's name, is checked.
const EXAMPLE_QUEUE_URL_START = "https://sqs.ap-southeast-2.amazonaws.com/123456789012/";

/**
 * The gateway's queue addresses, built from the stack's region, URL suffix, account and partition (tokens, joined by
 * CloudFormation). Checked at synth time with the Lambdas' own start-up check, so a queue name over SQS's 80
 * characters fails `cdk synth` rather than a cold start.
 * @throws {@link InvalidConfigurationError} naming the environment variable
 */
export function queueAddresses(scope: Construct, queueBase: string, destinationIds: readonly string[]): QueueAddresses {
  checkedJobQueueUrl(ENV.deliveryQueueUrl, `${EXAMPLE_QUEUE_URL_START}${jobQueueName(queueBase)}`, destinationIds);
  checkedJobQueueUrl(
    ENV.deadLetterQueueUrl,
    `${EXAMPLE_QUEUE_URL_START}${deadLetterQueueName(queueBase)}`,
    destinationIds,
  );
  const stack = Stack.of(scope);
  const urlStart = `https://sqs.${stack.region}.${stack.urlSuffix}/${stack.account}/`;
  const arn = (name: string) =>
    stack.formatArn({ service: "sqs", resource: name, arnFormat: ArnFormat.NO_RESOURCE_NAME });
  return {
    jobQueueUrlTemplate: `${urlStart}${jobQueueName(queueBase)}`,
    deadLetterQueueUrlTemplate: `${urlStart}${deadLetterQueueName(queueBase)}`,
    deadLetterQueueArnTemplate: arn(deadLetterQueueName(queueBase)),
    anyQueueArn: arn(jobQueueName(queueBase, "*")),
    anyDeadLetterQueueArn: arn(deadLetterQueueName(queueBase, "*")),
  };
}
