import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { enqueueJobs } from "../../../../lambdas/shared/jobQueue.ts";
import { DESTINATION_PLACEHOLDER } from "../../../../lambdas/shared/jobQueueUrl.ts";
import { ensureQueueWithDlq } from "../../../../local/sqsQueues.ts";
import { sendJob } from "../../../../ops/deadLetters/deadLetterQueue.ts";
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

describe("one queue per destination (a URL template)", () => {
  test("enqueueJobs and the operator's sendJob put each job on its own destination's queue, and on no other", async () => {
    const base = `og${crypto.randomUUID().slice(0, 8)}`;
    const queues = new Map<string, QueueWithDlq>();
    for (const destination of ["billing", "crm"]) {
      queues.set(
        destination,
        await ensureQueueWithDlq(local.sqs, {
          queueName: `${base}-${destination}`,
          maxReceiveCount: 5,
          visibilityTimeoutSeconds: 30,
        }),
      );
    }
    const template = (queues.get("billing") as QueueWithDlq).queueUrl.replace(/billing$/, DESTINATION_PLACEHOLDER);
    // 12 events fanned out to both: more than one batch of 10 for each queue.
    const jobs = Array.from({ length: 12 }, (_, i) =>
      ["billing", "crm"].map((destination) => ({ pk: `stripe#evt_${i}`, destination })),
    ).flat();
    await enqueueJobs(local.sqs, template, jobs);
    await sendJob(local.sqs, template, { pk: "stripe#evt_replayed", destination: "crm" });
    const bodies = async (destination: string) =>
      (await receiveAll(local.sqs, (queues.get(destination) as QueueWithDlq).queueUrl)).map((m) =>
        JSON.parse(m.Body ?? ""),
      );
    const billing = await bodies("billing");
    const crm = await bodies("crm");
    expect(billing).toHaveLength(12);
    expect(billing.every((job) => job.destination === "billing")).toBe(true);
    expect(crm).toHaveLength(13);
    expect(crm.every((job) => job.destination === "crm")).toBe(true);
    expect(crm.map((job) => job.pk)).toContain("stripe#evt_replayed");
  });
});
