import { randomUUID } from "node:crypto";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import type { StoredEvent } from "../../../../lambdas/delivery/deliveryStore.ts";
import { ENV } from "../../../../lambdas/shared/environment.ts";
import { DEFAULT_PEAK_EVENTS_PER_SECOND } from "../../../../lambdas/shared/indexShards.ts";
import { jobQueueUrl } from "../../../../lambdas/shared/jobQueueUrl.ts";
import { type DeadLetterCounts, noDeadLetters } from "../../../../lambdas/sweeper/deadLetterPass.ts";
import { createSweeper, type SweeperOptions, sweeperFromEnvironment } from "../../../../lambdas/sweeper/handler.ts";
import { ensureQueueWithDlq } from "../../../../local/sqsQueues.ts";
import { putEvent, queuedEvent, storedEvent } from "../../../support/deliveryEvents.ts";
import { type DeliveryHarness, startDeliveryHarness } from "../../../support/deliveryHarness.ts";
import { localSqsClient, messageCount, receiveAll } from "../../../support/fauxqs.ts";
import { allProvidersConfig } from "../../../support/gatewayFixtures.ts";
import { countRequests } from "../../../support/requestCounter.ts";
import { nothingSwept } from "../../../support/sweepCounts.ts";

/**
 * The sweeper's dead-letter pass over one dead-letter queue per destination (issue 19: each destination's job queue
 * has its own DLQ on AWS), against fauxqs: `ONCEGATE_DEAD_LETTER_QUEUE_URL` is a template, `<base>-{destination}-dlq`.
 */
let h: DeliveryHarness;
/** `<base>-{destination}-dlq`, over the queues `<base>-a` and `<base>-b` and their DLQs; no queue of `c` exists. */
let template: string;
/** The job queues' template, `<base>-{destination}`. */
let jobQueues: string;
const dlqName = (id: string) => new URL(jobQueueUrl(template, id)).pathname.split("/").at(-1) ?? "";

beforeAll(async () => {
  h = await startDeliveryHarness();
  const base = `per-destination-${randomUUID().slice(0, 8)}`;
  const settings = { maxReceiveCount: 5, visibilityTimeoutSeconds: 30 };
  const [a] = [
    await ensureQueueWithDlq(h.local.sqs, { queueName: `${base}-a`, ...settings }),
    await ensureQueueWithDlq(h.local.sqs, { queueName: `${base}-b`, ...settings }),
  ];
  template = a.dlqUrl.replace(`${base}-a-dlq`, `${base}-{destination}-dlq`);
  jobQueues = a.queueUrl.replace(`${base}-a`, `${base}-{destination}`);
});
afterAll(async () => {
  await h.stop();
});

function sweeper(destinations: string[], overrides: Partial<SweeperOptions> = {}) {
  return createSweeper({
    config: {
      sweepAfterSeconds: 120,
      peakEventsPerSecond: DEFAULT_PEAK_EVENTS_PER_SECOND,
      eventRetentionSeconds: 3600,
      destinations: destinations.map((id) => ({ id })),
    },
    ddb: h.ddb,
    sqs: h.local.sqs,
    eventsTable: h.eventsTable,
    queueUrl: jobQueues,
    deadLetterQueueUrl: template,
    logger: (line) => h.logs.push(line),
    ...overrides,
  });
}

const counts = (overrides: Partial<DeadLetterCounts>): DeadLetterCounts => ({ ...noDeadLetters(), ...overrides });
const read = (pk: string) => storedEvent(h.ddb, h.eventsTable, pk);

/** An event sent to `a` and `b`, both PENDING. */
async function storeEvent(): Promise<StoredEvent> {
  const item = queuedEvent(["a", "b"]);
  await putEvent(h.ddb, h.eventsTable, item);
  return item;
}

/** Puts `destination`'s job of `pk` in that destination's DLQ, as SQS moves it there; returns its message id. */
async function deadJob(sqs: SQSClient, pk: string, destination: string): Promise<string> {
  const body = JSON.stringify({ pk, destination });
  const out = await sqs.send(
    new SendMessageCommand({ QueueUrl: jobQueueUrl(template, destination), MessageBody: body }),
  );
  return out.MessageId ?? "";
}

async function emptyQueues(): Promise<void> {
  for (const id of ["a", "b"]) await receiveAll(h.local.sqs, jobQueueUrl(template, id));
}

describe("the dead-letter pass over one dead-letter queue per destination", () => {
  test("reconciles the dead jobs in each destination's queue in one run, and asks each empty queue once", async () => {
    const [first, second] = [await storeEvent(), await storeEvent()];
    const diedInA = await deadJob(h.local.sqs, first.pk, "a");
    const diedInB = await deadJob(h.local.sqs, second.pk, "b");

    expect(await sweeper(["a", "b"])()).toEqual(nothingSwept(counts({ read: 2, marked: 2 })));
    expect((await read(first.pk)).destinations).toMatchObject({
      a: { status: "DEAD", reason: "dead_lettered", deadMessageId: diedInA },
      b: { status: "PENDING" },
    });
    expect((await read(second.pk)).destinations).toMatchObject({
      a: { status: "PENDING" },
      b: { status: "DEAD", reason: "dead_lettered", deadMessageId: diedInB },
    });
    // Never deleted: each stays in its own queue.
    expect([messageCount(h.local.server, dlqName("a")), messageCount(h.local.server, dlqName("b"))]).toEqual([1, 1]);

    await emptyQueues();
    const calls = countRequests(h.local.sqs);
    expect((await sweeper(["a", "b"])()).deadLetters).toEqual(noDeadLetters());
    expect(calls.take()).toEqual(["GetQueueAttributesCommand", "GetQueueAttributesCommand"]);
  });

  test("counts a destination's queue that cannot be read as failed, names it, and still reconciles the others", async () => {
    const item = await storeEvent();
    const died = await deadJob(h.local.sqs, item.pk, "a");
    const before = h.logs.length;
    let countedFailures = 0;

    // `c` is configured, but its dead-letter queue does not exist (a bad URL).
    const result = await sweeper(["c", "a"], { countSweepFailed: () => countedFailures++ })();
    expect(result.deadLetters).toEqual(counts({ read: 1, marked: 1, error: expect.any(String) as unknown as string }));
    expect((await read(item.pk)).destinations.a).toMatchObject({ status: "DEAD", deadMessageId: died });
    expect(countedFailures).toBe(1);
    const lines = h.logs.slice(before);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "oncegate.sweeper.dead_letters_failed",
        queueUrl: jobQueueUrl(template, "c"),
        error: result.deadLetters.error,
      }),
    );
    expect(lines.at(-1)).toMatchObject({ level: "error", msg: "oncegate.sweeper" });
    await emptyQueues();
  });

  test("splits the run's budget over the queues by what they hold: a backlog does not starve a small queue", async () => {
    const expired = (i: number) => `stripe#evt_gone_${randomUUID()}_${i}`;
    for (let i = 0; i < 30; i++) await deadJob(h.local.sqs, expired(i), "a");
    for (let i = 0; i < 2; i++) await deadJob(h.local.sqs, expired(i), "b");

    const sqs = localSqsClient(h.local.endpoint);
    const asked: [string, number][] = [];
    sqs.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { QueueUrl?: string; MaxNumberOfMessages?: number };
        if (context.commandName === "ReceiveMessageCommand") {
          asked.push([input.QueueUrl?.split("/").at(-1) ?? "", input.MaxNumberOfMessages ?? 1]);
        }
        return next(args);
      },
      { step: "initialize", name: "receiveSizes" },
    );

    expect((await sweeper(["a", "b"], { sqs, maxDeadLettersPerRun: 10 })()).deadLetters).toEqual(
      counts({ read: 10, missing: 10 }),
    );
    sqs.destroy();
    // b's 2 and 8 of a's 30: never more than the run's 10 in all, and every message handed back.
    expect(asked.sort()).toEqual([
      [dlqName("a"), 8],
      [dlqName("b"), 2],
    ]);
    const [a, b] = [
      h.local.server.inspectQueue(dlqName("a"))?.messages,
      h.local.server.inspectQueue(dlqName("b"))?.messages,
    ];
    expect(a?.ready.length).toBe(30);
    expect(b?.ready.length).toBe(2);
    expect(h.logs.at(-1)).toMatchObject({ msg: "oncegate.sweeper", deadLetters: { read: 10, missing: 10 } });
    await emptyQueues();
  });
});

describe("the sweeper built from its environment", () => {
  const destinations = ["a", "b"].map((id) => ({
    id,
    url: `http://127.0.0.1:9/${id}`,
    signingSecrets: [{ env: "S" }],
  }));
  const env = (deadLetterQueueUrl: string) => ({
    [ENV.config]: JSON.stringify(allProvidersConfig({ destinations })),
    [ENV.eventsTable]: h.eventsTable,
    [ENV.deliveryQueueUrl]: jobQueues,
    [ENV.deadLetterQueueUrl]: deadLetterQueueUrl,
  });

  test("reads every configured destination's dead-letter queue under a template", async () => {
    const item = await storeEvent();
    await deadJob(h.local.sqs, item.pk, "a");
    await deadJob(h.local.sqs, item.pk, "b");
    const sweep = sweeperFromEnvironment(env(template), { ddb: h.ddb, sqs: h.local.sqs, logger: () => {} });
    expect((await sweep()).deadLetters).toEqual(counts({ read: 2, marked: 2 }));
    expect((await read(item.pk)).status).toBe("DEAD");
    await emptyQueues();
  });

  test.each([
    ["two placeholders", "https://sqs.eu-west-1.amazonaws.com/1/{destination}-{destination}-dlq", /2 times/],
    ["a placeholder outside the queue's name", "https://sqs.eu-west-1.amazonaws.com/{destination}/dlq", /queue's name/],
    [
      "a destination's queue name over 80 characters",
      `https://sqs.eu-west-1.amazonaws.com/1/${"q".repeat(79)}-{destination}`,
      /80 characters/,
    ],
  ])("refuses a dead-letter queue template with %s, naming the variable", (_, url, message) => {
    expect(() => sweeperFromEnvironment(env(url))).toThrow(message);
    expect(() => sweeperFromEnvironment(env(url))).toThrow(ENV.deadLetterQueueUrl);
  });
});
