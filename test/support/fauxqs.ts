import { randomUUID } from "node:crypto";
import { DeleteMessageBatchCommand, type Message, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import { ensureQueueWithDlq, localSqsClient, type QueueWithDlq } from "../../local/sqsQueues.ts";

export {
  LOCAL_SQS_CREDENTIALS,
  localSqsClient,
  loopbackQueueUrl,
  messageCount,
  type QueueWithDlq,
} from "../../local/sqsQueues.ts";

/** The SQS emulator running in this test process, and a client pointed at it. */
export interface LocalSqs {
  server: FauxqsServer;
  /** e.g. `http://127.0.0.1:41234`: give it to other SQS clients as `endpoint`. */
  endpoint: string;
  sqs: SQSClient;
  stop(): Promise<void>;
}

/** Starts fauxqs in-process on a free port (~200 ms), in memory. */
export async function startLocalSqs(): Promise<LocalSqs> {
  const server = await startFauxqs({ port: 0, logger: false });
  const sqs = localSqsClient(server.address);
  return {
    server,
    endpoint: server.address,
    sqs,
    async stop() {
      sqs.destroy();
      await server.stop();
    },
  };
}

export interface QueueOptions {
  /** @default "jobs" */
  prefix?: string;
  /** Receives before SQS moves a message to the DLQ. @default 5 */
  maxReceiveCount?: number;
  /** @default 30 */
  visibilityTimeoutSeconds?: number;
}

/** Creates a uniquely named queue with a DLQ and a `RedrivePolicy` (see `ensureQueueWithDlq`). */
export function createQueueWithDlq(sqs: SQSClient, options: QueueOptions = {}): Promise<QueueWithDlq> {
  return ensureQueueWithDlq(sqs, {
    queueName: `${options.prefix ?? "jobs"}-${randomUUID().slice(0, 8)}`,
    maxReceiveCount: options.maxReceiveCount ?? 5,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
  });
}

/**
 * Receives every message visible now, 10 at a time, until a receive comes back empty; with `remove` (the
 * default) deletes them too, so the queue is empty for the next test.
 */
export async function receiveAll(sqs: SQSClient, queueUrl: string, remove = true): Promise<Message[]> {
  const received: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }),
    );
    if (Messages.length === 0) return received;
    received.push(...Messages);
    if (remove) {
      const Entries = Messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle }));
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries }));
    }
  }
}

/** The parsed JSON bodies of {@link receiveAll}. */
export async function receiveAllBodies<T = unknown>(sqs: SQSClient, queueUrl: string, remove = true): Promise<T[]> {
  return (await receiveAll(sqs, queueUrl, remove)).map((message) => JSON.parse(message.Body ?? "null") as T);
}
