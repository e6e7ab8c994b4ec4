import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { localCredentials } from "../../local/dynamoDbLocal.ts";

/**
 * What a run left behind, read after it to check that nothing was lost or duplicated: events by status (a
 * paginated scan of the state items: a read of the table, not of any intake's code) and the jobs waiting on a queue.
 */
export async function countEventsByStatus(endpoint: string, tableName: string): Promise<Record<string, number>> {
  const reader = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: localCredentials });
  const counts: Record<string, number> = {};
  try {
    let startKey: Record<string, never> | undefined;
    do {
      const page = await reader.send(
        new ScanCommand({
          TableName: tableName,
          ProjectionExpression: "#status",
          // One state item per event; its body and attempts are items of their own.
          FilterExpression: "#sk = :state",
          ExpressionAttributeNames: { "#status": "status", "#sk": "sk" },
          ExpressionAttributeValues: { ":state": { S: "state" } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const status = item.status?.S ?? "none";
        counts[status] = (counts[status] ?? 0) + 1;
      }
      startKey = page.LastEvaluatedKey as Record<string, never> | undefined;
    } while (startKey !== undefined);
    return counts;
  } finally {
    reader.destroy();
  }
}

/** Messages on the queue, visible or in flight (the emulator's counts are exact). */
export async function queuedJobs(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}
