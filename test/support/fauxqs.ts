import { randomUUID } from "node:crypto";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";

/** Credentials the emulator accepts (it never checks them). */
export const LOCAL_SQS_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** The SQS emulator running in this test process, and a client pointed at it. */
export interface LocalSqs {
  server: FauxqsServer;
  /** e.g. `http://127.0.0.1:41234`: give it to other SQS clients as `endpoint`. */
  endpoint: string;
  sqs: SQSClient;
  stop(): Promise<void>;
}

/** An SQS client for `endpoint` (fauxqs, or a closed port to simulate an outage). */
export function localSqsClient(endpoint: string, maxAttempts?: number): SQSClient {
  return new SQSClient({ endpoint, region: "us-east-1", credentials: LOCAL_SQS_CREDENTIALS, maxAttempts });
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

/** A queue and the dead-letter queue its redrive policy points at. */
export interface QueueWithDlq {
  queueName: string;
  queueUrl: string;
  dlqName: string;
  dlqUrl: string;
}

export interface QueueOptions {
  /** @default "jobs" */
  prefix?: string;
  /** Receives before SQS moves a message to the DLQ. @default 5 */
  maxReceiveCount?: number;
  /** @default 30 */
  visibilityTimeoutSeconds?: number;
}

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/…`. An SQS client without an explicit endpoint (one
 * configured by `AWS_ENDPOINT_URL_SQS`, as a Lambda built from its environment is) sends to the queue URL's host,
 * which does not resolve everywhere; the same queue answers on the loopback address.
 */
export function loopbackQueueUrl(queueUrl: string): string {
  const url = new URL(queueUrl);
  if (url.hostname.endsWith(".localhost")) url.hostname = "127.0.0.1";
  return url.href;
}

/**
 * Creates a uniquely named queue with a DLQ and a `RedrivePolicy`, through the SQS API (as the stack does).
 * The URLs returned are {@link loopbackQueueUrl}s.
 */
export async function createQueueWithDlq(sqs: SQSClient, options: QueueOptions = {}): Promise<QueueWithDlq> {
  const queueName = `${options.prefix ?? "jobs"}-${randomUUID().slice(0, 8)}`;
  const dlqName = `${queueName}-dlq`;
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: dlqName }));
  const dlqUrl = loopbackQueueUrl(dlq.QueueUrl ?? "");
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }),
  );
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: queueName,
      Attributes: {
        VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 30),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: String(options.maxReceiveCount ?? 5),
        }),
      },
    }),
  );
  return { queueName, queueUrl: loopbackQueueUrl(queue.QueueUrl ?? ""), dlqName, dlqUrl };
}

/** Messages in a queue right now, visible or not, without touching them (fauxqs inspection). */
export function messageCount(server: FauxqsServer, queueName: string): number {
  const queue = server.inspectQueue(queueName);
  if (queue === undefined) throw new Error(`no queue named ${queueName}`);
  const { ready, delayed, inflight } = queue.messages;
  return ready.length + delayed.length + inflight.length;
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
