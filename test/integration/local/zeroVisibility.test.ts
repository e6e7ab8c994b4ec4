import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import { avoidZeroVisibility } from "../../../local/services/zeroVisibility.ts";
import { ensureQueueWithDlq, localSqsClient, messageCount } from "../../../local/sqsQueues.ts";

/**
 * The local stack runs fauxqs with a data directory. There a visibility change to 0 s loses the message (fauxqs
 * 2.4.1): the first test shows it, so that it fails, and says the workaround can go, once fauxqs is fixed. The
 * others show the gateway's client keeps every message with `avoidZeroVisibility`: the delivery's single change and
 * the sweeper's dead-letter hand-back (a batch), the one the workaround first missed (a DLQ job vanished and the
 * reliability matrix's consumer kills never settled).
 */

const dataDir = mkdtempSync(join(tmpdir(), "oncegate-zero-visibility-"));
let fauxqs: FauxqsServer;
let raw: SQSClient;
let wrapped: SQSClient;

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false, dataDir });
  // One attempt: the SDK's retry of the 500 would only add MessageNotInflight.
  raw = localSqsClient(fauxqs.address, 1);
  wrapped = localSqsClient(fauxqs.address, 1);
  avoidZeroVisibility(wrapped);
});
afterAll(async () => {
  raw?.destroy();
  wrapped?.destroy();
  await fauxqs?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

let queues = 0;
/** A fresh queue holding one message, received (in flight for 30 s): its URL, name and receipt handle. */
async function inFlightMessage() {
  queues += 1;
  const queue = await ensureQueueWithDlq(raw, {
    queueName: `zero-visibility-${queues}`,
    maxReceiveCount: 10,
    visibilityTimeoutSeconds: 30,
    endpoint: fauxqs.address,
  });
  await raw.send(new SendMessageCommand({ QueueUrl: queue.queueUrl, MessageBody: "job" }));
  const { Messages = [] } = await raw.send(
    new ReceiveMessageCommand({ QueueUrl: queue.queueUrl, VisibilityTimeout: 30, WaitTimeSeconds: 1 }),
  );
  expect(Messages).toHaveLength(1);
  return { url: queue.queueUrl, name: queue.queueName, receiptHandle: Messages[0]?.ReceiptHandle ?? "" };
}

async function receiveWithin(client: SQSClient, url: string, seconds: number): Promise<number> {
  const { Messages = [] } = await client.send(
    new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: seconds }),
  );
  return Messages.length;
}

describe("fauxqs with a data directory and visibility 0", () => {
  test("the emulator's bug: an unwrapped batch change to 0 s answers an error and the message is gone", async () => {
    const message = await inFlightMessage();
    const out = await raw
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: message.url,
          Entries: [{ Id: "0", ReceiptHandle: message.receiptHandle, VisibilityTimeout: 0 }],
        }),
      )
      .catch((error: Error) => error);
    expect(out).toBeInstanceOf(Error);
    expect(messageCount(fauxqs, message.name)).toBe(0);
  });

  test("the sweeper's hand-back (a batch) through the gateway's client: the message is visible again in about 1 s", async () => {
    const message = await inFlightMessage();
    const out = await wrapped.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: message.url,
        Entries: [{ Id: "0", ReceiptHandle: message.receiptHandle, VisibilityTimeout: 0 }],
      }),
    );
    expect(out.Failed ?? []).toEqual([]);
    expect(messageCount(fauxqs, message.name)).toBe(1);
    expect(await receiveWithin(wrapped, message.url, 3)).toBe(1);
  });

  test("the delivery's hastening (a single change) through the gateway's client: kept, visible again", async () => {
    const message = await inFlightMessage();
    await wrapped.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: message.url,
        ReceiptHandle: message.receiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect(messageCount(fauxqs, message.name)).toBe(1);
    expect(await receiveWithin(wrapped, message.url, 3)).toBe(1);
  });

  test("other visibilities pass through unchanged", async () => {
    const message = await inFlightMessage();
    await wrapped.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: message.url,
        Entries: [{ Id: "0", ReceiptHandle: message.receiptHandle, VisibilityTimeout: 5 }],
      }),
    );
    // Still hidden after 2 s: a 1 s rewrite would have shown it.
    expect(await receiveWithin(wrapped, message.url, 2)).toBe(0);
    expect(messageCount(fauxqs, message.name)).toBe(1);
  });
});
