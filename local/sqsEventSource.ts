import { randomUUID } from "node:crypto";
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

/** What one poll did. */
export interface PollResult {
  /** Message ids received (and handed to the handler), in order. */
  received: string[];
  /** Message ids the handler reported failed: left on the queue. */
  failed: string[];
  /** Message ids deleted: the handler succeeded for them. */
  deleted: string[];
  /** Set when the handler threw: the whole batch stays on the queue. */
  error?: unknown;
}

export interface PollOnceOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** A Lambda handler; a result without `batchItemFailures` means every message succeeded. */
  handler: (event: SQSEvent) => Promise<unknown>;
  /** @default 10 */
  maxMessages?: number;
  /** Long-poll wait. @default 0 */
  waitTimeSeconds?: number;
  /** Cancels a long poll in progress (shutdown); the batch is then not received. */
  abortSignal?: AbortSignal;
}

/**
 * One turn of what Lambda's SQS event source does: receive a batch, hand it to the handler as an SQS event,
 * delete every message it did not report in `batchItemFailures` (none if it threw), and leave the rest to
 * become visible again (or to move to the dead-letter queue once received too often).
 */
export async function pollOnce(options: PollOnceOptions): Promise<PollResult> {
  const { sqs, queueUrl } = options;
  const out = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.maxMessages ?? 10,
      WaitTimeSeconds: options.waitTimeSeconds ?? 0,
      MessageSystemAttributeNames: ["ApproximateReceiveCount", "SentTimestamp", "ApproximateFirstReceiveTimestamp"],
    }),
    { abortSignal: options.abortSignal },
  );
  const messages = out.Messages ?? [];
  const received = messages.map((message) => message.MessageId ?? "");
  if (messages.length === 0) return { received, failed: [], deleted: [] };

  const records: SQSRecord[] = messages.map((message) => ({
    messageId: message.MessageId ?? randomUUID(),
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1",
      SentTimestamp: message.Attributes?.SentTimestamp ?? "0",
      SenderId: "local",
      ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? "0",
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArnOf(queueUrl),
    awsRegion: "us-east-1",
  }));

  let response: Partial<SQSBatchResponse> | undefined;
  try {
    response = (await options.handler({ Records: records })) as Partial<SQSBatchResponse> | undefined;
  } catch (error) {
    return { received, failed: received, deleted: [], error };
  }
  const failedIds = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
  const succeeded = records.filter((record) => !failedIds.has(record.messageId));
  if (succeeded.length > 0) {
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: succeeded.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
  }
  return {
    received,
    failed: records.filter((record) => failedIds.has(record.messageId)).map((record) => record.messageId),
    deleted: succeeded.map((record) => record.messageId),
  };
}

// Lambda events carry the queue's ARN; a local one built from the URL's last segment is enough for handlers.
function queueArnOf(queueUrl: string): string {
  const name = queueUrl.split("/").pop() ?? "queue";
  return `arn:aws:sqs:us-east-1:000000000000:${name}`;
}
