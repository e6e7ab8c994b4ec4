import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { FauxqsServer } from "fauxqs";

/** Credentials the emulator accepts (it never checks them). */
export const LOCAL_SQS_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** An SQS client for `endpoint` (fauxqs, or a closed port to simulate an outage). */
export function localSqsClient(endpoint: string, maxAttempts?: number): SQSClient {
  return new SQSClient({ endpoint, region: "us-east-1", credentials: LOCAL_SQS_CREDENTIALS, maxAttempts });
}

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/…`. An SQS client without an explicit endpoint (one
 * configured by `AWS_ENDPOINT_URL_SQS`, as a Lambda built from its environment is) sends to the queue URL's host,
 * which does not resolve everywhere; the same queue answers on the loopback address. fauxqs finds a queue by its
 * path whatever the host, so `endpoint` (the emulator's address now) also replaces a port that a persisted queue
 * URL kept from an earlier run.
 */
export function loopbackQueueUrl(queueUrl: string, endpoint?: string): string {
  const url = new URL(queueUrl);
  if (url.hostname.endsWith(".localhost")) url.hostname = "127.0.0.1";
  if (endpoint !== undefined) url.host = new URL(endpoint).host;
  return url.href;
}

/** A queue and the dead-letter queue its redrive policy points at. */
export interface QueueWithDlq {
  queueName: string;
  queueUrl: string;
  dlqName: string;
  dlqUrl: string;
  dlqArn: string;
}

/** How {@link ensureQueueWithDlq} sets a queue up. */
export interface QueueWithDlqSettings {
  queueName: string;
  /** @default `${queueName}-dlq` */
  dlqName?: string;
  /** Receives before SQS moves a message to the DLQ. */
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  /** The emulator's address, for {@link loopbackQueueUrl}. */
  endpoint?: string;
}

/**
 * Creates a queue and its DLQ if missing, through the SQS API (as the CDK app does in AWS), and (re)applies the
 * visibility timeout and the `RedrivePolicy`, so a restart with another retry schedule updates an existing queue
 * instead of failing on CreateQueue's "different attributes" check. Returns {@link loopbackQueueUrl}s.
 */
export async function ensureQueueWithDlq(sqs: SQSClient, settings: QueueWithDlqSettings): Promise<QueueWithDlq> {
  const { queueName, endpoint } = settings;
  const { dlqName, dlqUrl, dlqArn } = await ensureDeadLetterQueue(
    sqs,
    settings.dlqName ?? `${queueName}-dlq`,
    endpoint,
  );
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const queueUrl = loopbackQueueUrl(queue.QueueUrl ?? "", endpoint);
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: {
        VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn,
          maxReceiveCount: String(settings.maxReceiveCount),
        }),
      },
    }),
  );
  return { queueName, queueUrl, dlqName, dlqUrl, dlqArn };
}

/** Creates the dead-letter queue `dlqName` if missing; returns its {@link loopbackQueueUrl} and ARN. */
export async function ensureDeadLetterQueue(
  sqs: SQSClient,
  dlqName: string,
  endpoint?: string,
): Promise<Pick<QueueWithDlq, "dlqName" | "dlqUrl" | "dlqArn">> {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: dlqName }));
  const dlqUrl = loopbackQueueUrl(dlq.QueueUrl ?? "", endpoint);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }),
  );
  return { dlqName, dlqUrl, dlqArn: Attributes?.QueueArn ?? "" };
}

/** Messages in a queue right now, visible or not, without touching them (fauxqs inspection). */
export function messageCount(server: FauxqsServer, queueName: string): number {
  const queue = server.inspectQueue(queueName);
  if (queue === undefined) throw new Error(`no queue named ${queueName}`);
  const { ready, delayed, inflight } = queue.messages;
  return ready.length + delayed.length + inflight.length;
}
