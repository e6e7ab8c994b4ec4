import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { OperatorTarget } from "../../ops/target/operatorTarget.ts";

/** The DLQ's ARN in {@link stackTargetOn}'s made-up account. */
export const STACK_DLQ_ARN = "arn:aws:sqs:eu-west-1:123456789012:Oncegate-delivery-dlq";

/**
 * A `--stack` target as `stackTarget` builds it from a deployed stack's outputs, with its events table on DynamoDB
 * Local (`ddb`) and SQS/S3 clients for eu-west-1 that a test mocks (aws-sdk-client-mock) or never calls.
 */
export function stackTargetOn(ddb: DynamoDBClient, eventsTable: string): OperatorTarget {
  return {
    kind: "stack",
    label: "Oncegate",
    region: "eu-west-1",
    ddb,
    sqs: new SQSClient({ region: "eu-west-1" }),
    s3: new S3Client({ region: "eu-west-1" }),
    resources: {
      eventsTable,
      deliveryQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/Oncegate-delivery",
      deadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/Oncegate-delivery-dlq",
      deadLetterQueueArn: STACK_DLQ_ARN,
      peakEventsPerSecond: 1000,
      retryScheduleSeconds: [1, 1],
      destinationIds: ["orders", "audit"],
    },
    supportsMoveTask: true,
    identity: async () => "arn:aws:iam::123456789012:user/alice",
    close: () => {},
  };
}
