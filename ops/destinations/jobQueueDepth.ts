import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { jobQueueUrl } from "../../lambdas/shared/jobQueueUrl.ts";
import { asOperator } from "../target/awsFailures.ts";
import type { OperatorTarget } from "../target/operatorTarget.ts";
import type { QueueDepth } from "./destinationView.ts";

/**
 * `destination`'s job queue's depth: one `GetQueueAttributes` (SQS's approximate counts, seconds behind). On a
 * gateway with one shared job queue (a stack deployed before each destination had its own) every destination reads
 * that queue's counts.
 */
export async function jobQueueDepth(target: OperatorTarget, destination: string): Promise<QueueDepth> {
  const queueUrl = jobQueueUrl(target.resources.deliveryQueueUrl, destination);
  const out = await asOperator(`read the job queue of ${destination} (sqs:GetQueueAttributes)`, () =>
    target.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: [
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesDelayed",
          "ApproximateNumberOfMessagesNotVisible",
        ],
      }),
    ),
  );
  const count = (name: string) => Number(out.Attributes?.[name as keyof typeof out.Attributes] ?? 0) || 0;
  return {
    backlog: count("ApproximateNumberOfMessages") + count("ApproximateNumberOfMessagesDelayed"),
    inFlight: count("ApproximateNumberOfMessagesNotVisible"),
  };
}
