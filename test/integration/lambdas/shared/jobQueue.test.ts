import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { enqueueJobs } from "../../../../lambdas/shared/jobQueue.ts";
import {
  createQueueWithDlq,
  type LocalSqs,
  type QueueWithDlq,
  receiveAll,
  startLocalSqs,
} from "../../../support/fauxqs.ts";

let local: LocalSqs;
let queue: QueueWithDlq;
beforeAll(async () => {
  local = await startLocalSqs();
  queue = await createQueueWithDlq(local.sqs);
});
afterAll(async () => {
  await local.stop();
});

describe("enqueueJobs on the SQS emulator", () => {
  test("puts every job on the queue once, as a minimal JSON body", async () => {
    const jobs = Array.from({ length: 25 }, (_, i) => ({ pk: `github#id-${i}`, destination: "primary" }));
    await enqueueJobs(local.sqs, queue.queueUrl, jobs);
    const messages = await receiveAll(local.sqs, queue.queueUrl);
    expect(messages.map((m) => JSON.parse(m.Body ?? "")).sort((a, b) => a.pk.localeCompare(b.pk))).toEqual(
      [...jobs].sort((a, b) => a.pk.localeCompare(b.pk)),
    );
    expect(messages[0]?.Body).toMatch(/^\{"pk":"github#id-\d+","destination":"primary"\}$/);
  });
});
