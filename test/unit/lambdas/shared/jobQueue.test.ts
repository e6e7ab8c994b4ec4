import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { EnqueueFailedError } from "../../../../lambdas/shared/errors.ts";
import { deliveryJobsFor, enqueueJobs, jobMessageBody } from "../../../../lambdas/shared/jobQueue.ts";

// Partial batch failures cannot be provoked on the emulator: SQS's answers are scripted here.
const sqs = new SQSClient({ region: "us-east-1" });
const mock = mockClient(sqs);
afterEach(() => {
  mock.reset();
});

const QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/delivery";
const jobs = (n: number) => Array.from({ length: n }, (_, i) => ({ pk: "stripe#evt_1", destination: `d${i}` }));

describe("deliveryJobsFor / jobMessageBody", () => {
  test("makes one job per destination, with a body of exactly pk and destination", () => {
    const item = { pk: "github#x", destinationIds: ["a", "b"], status: "RECEIVED" };
    expect(deliveryJobsFor(item)).toEqual([
      { pk: "github#x", destination: "a" },
      { pk: "github#x", destination: "b" },
    ]);
    const extra = { pk: "p", destination: "d", payload: "secret" } as unknown as { pk: string; destination: string };
    expect(jobMessageBody(extra)).toBe('{"pk":"p","destination":"d"}');
  });
});

describe("enqueueJobs", () => {
  test("sends batches of at most 10 entries", async () => {
    mock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    await enqueueJobs(sqs, QUEUE, jobs(23));
    const sizes = mock.commandCalls(SendMessageBatchCommand).map((call) => call.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  test("sends nothing for no jobs", async () => {
    await enqueueJobs(sqs, QUEUE, []);
    expect(mock.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
  });

  test("retries only the entries SQS reported as failed, once", async () => {
    mock
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: "1", Code: "InternalError", SenderFault: false }] })
      .resolves({ Failed: [] });
    await enqueueJobs(sqs, QUEUE, jobs(3));
    const calls = mock.commandCalls(SendMessageBatchCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries).toEqual([
      { Id: "1", MessageBody: '{"pk":"stripe#evt_1","destination":"d1"}' },
    ]);
  });

  test("throws EnqueueFailedError when entries fail twice", async () => {
    mock.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: "0", Code: "InternalError", SenderFault: false }] });
    const failure = enqueueJobs(sqs, QUEUE, jobs(2));
    await expect(failure).rejects.toThrow(EnqueueFailedError);
    await expect(failure).rejects.toThrow("1 of 2 entries failed twice (InternalError)");
    expect(mock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });

  test("wraps a failed call in EnqueueFailedError, keeping the cause", async () => {
    const throttled = Object.assign(new Error("slow down"), { name: "RequestThrottled" });
    mock.on(SendMessageBatchCommand).rejects(throttled);
    const error = await enqueueJobs(sqs, QUEUE, jobs(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnqueueFailedError);
    expect((error as EnqueueFailedError).code).toBe("enqueue_failed");
    expect((error as EnqueueFailedError).message).toContain("SendMessageBatch failed (RequestThrottled)");
    expect((error as EnqueueFailedError).cause).toBe(throttled);
  });
});
