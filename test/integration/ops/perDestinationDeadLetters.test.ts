import { randomUUID } from "node:crypto";
import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { problemShardOf } from "../../../lambdas/shared/indexShards.ts";
import { jobQueueUrl } from "../../../lambdas/shared/jobQueueUrl.ts";
import { ensureQueueWithDlq } from "../../../local/sqsQueues.ts";
import { type RunningConsole, startConsole } from "../../../ops/console/consoleServer.ts";
import { listDeadLetters } from "../../../ops/deadLetters/listDeadLetters.ts";
import { countRedrivable, redriveDeadLetters } from "../../../ops/deadLetters/redriveDeadLetters.ts";
import { showEvent } from "../../../ops/events/showEvent.ts";
import type { OperatorTarget } from "../../../ops/target/operatorTarget.ts";
import { signInConsole } from "../../support/consoleSession.ts";
import {
  createEventsTable,
  DEFAULT_SHARDS,
  putEvent,
  queuedEvent,
  storedEvent,
  type TestEvent,
} from "../../support/deliveryEvents.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { type LocalSqs, receiveAll, receiveAllBodies, startLocalSqs } from "../../support/fauxqs.ts";

/**
 * The dead-letter commands over one dead-letter queue per destination, as a stack deployed since issue 19 has them:
 * its `DeadLetterQueueUrl` and `DeliveryQueueUrl` outputs are templates (`<base>-{destination}-dlq`,
 * `<base>-{destination}`), here over real fauxqs queues for the destinations `a` and `b`, the events table on
 * DynamoDB Local. (The shared queue is the local stack's: operatorCli.local.test.ts.)
 */
const ddb = localClient();
let local: LocalSqs;
let eventsTable: string;
let target: OperatorTarget;
let jobQueues: string;
let deadLetterQueues: string;
/** Each ReceiveMessage's queue name, since the last test began. */
const received: string[] = [];
const NOW = Date.now();
const nowMs = () => Date.now();

beforeAll(async () => {
  eventsTable = await createEventsTable(ddb, "ops-per-destination");
  local = await startLocalSqs();
  const base = `og${randomUUID().slice(0, 8)}`;
  const settings = { maxReceiveCount: 5, visibilityTimeoutSeconds: 30 };
  const a = await ensureQueueWithDlq(local.sqs, { queueName: `${base}-a`, ...settings });
  await ensureQueueWithDlq(local.sqs, { queueName: `${base}-b`, ...settings });
  jobQueues = a.queueUrl.replace(`${base}-a`, `${base}-{destination}`);
  deadLetterQueues = a.dlqUrl.replace(`${base}-a-dlq`, `${base}-{destination}-dlq`);
  local.sqs.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "ReceiveMessageCommand") {
        received.push(String((args.input as { QueueUrl?: string }).QueueUrl?.split("/").at(-1)));
      }
      return next(args);
    },
    { step: "initialize", name: "recordReceives" },
  );
  target = {
    kind: "stack",
    label: "Oncegate",
    region: "us-east-1",
    ddb,
    sqs: local.sqs,
    s3: new S3Client({ region: "us-east-1" }),
    resources: {
      eventsTable,
      deliveryQueueUrl: jobQueues,
      deadLetterQueueUrl: deadLetterQueues,
      deadLetterQueueArn: a.dlqArn.replace(`${base}-a-dlq`, `${base}-{destination}-dlq`),
      peakEventsPerSecond: 1000,
      retryScheduleSeconds: [1, 1],
      destinationIds: ["a", "b"],
    },
    // fauxqs has no message move task: the receive path (the move tasks are redriveMoveTask.test.ts's).
    supportsMoveTask: false,
    identity: async () => "arn:aws:iam::123456789012:user/alice",
    close: () => {},
  };
});
beforeEach(async () => {
  for (const id of ["a", "b"]) {
    await receiveAll(local.sqs, jobQueueUrl(deadLetterQueues, id));
    await receiveAll(local.sqs, jobQueueUrl(jobQueues, id));
  }
  received.length = 0;
});
afterAll(async () => {
  target.s3.destroy();
  await local.stop();
  await deleteTable(ddb, eventsTable);
  ddb.destroy();
});

const dlqOf = (id: string) => jobQueueUrl(deadLetterQueues, id).split("/").at(-1) ?? "";

/** An event sent to `a` and `b`, DEAD for each of `deadFor` (PENDING for the other). */
async function deadEvent(eventId: string, ...deadFor: string[]): Promise<TestEvent> {
  const item = queuedEvent(["a", "b"], { eventId: `${eventId}_${randomUUID().slice(0, 6)}`, receivedAtMs: NOW });
  item.status = "DEAD";
  item.problemShard = problemShardOf(item.pk, "DEAD", DEFAULT_SHARDS);
  for (const id of deadFor) item.destinations[id] = { status: "DEAD", attempts: 2, reason: "http_503" };
  await putEvent(ddb, eventsTable, item);
  return item;
}

/** `destination`'s job of `item`, in that destination's dead-letter queue (as SQS moves it there). */
async function deadJob(item: TestEvent, destination: string): Promise<string> {
  const out = await local.sqs.send(
    new SendMessageCommand({
      QueueUrl: jobQueueUrl(deadLetterQueues, destination),
      MessageBody: JSON.stringify({ pk: item.pk, destination }),
    }),
  );
  return out.MessageId ?? "";
}

describe("dlq list over one dead-letter queue per destination", () => {
  test("lists both destinations' dead jobs, reading each queue and giving its messages back", async () => {
    const first = await deadEvent("evt_list", "a");
    const second = await deadEvent("evt_list", "b");
    const inA = await deadJob(first, "a");
    const inB = await deadJob(second, "b");

    const letters = await listDeadLetters(target, {}, { nowMs });
    expect(
      letters.map(({ messageId, pk, destination }) => ({ messageId, pk, destination })).sort(byDestination),
    ).toEqual([
      { messageId: inA, pk: first.pk, destination: "a" },
      { messageId: inB, pk: second.pk, destination: "b" },
    ]);
    expect(new Set(received)).toEqual(new Set([dlqOf("a"), dlqOf("b")]));
    // Given back: a second listing sees them again.
    expect(await listDeadLetters(target, {}, { nowMs })).toHaveLength(2);
  });

  test("--destination a reads only a's queue", async () => {
    const item = await deadEvent("evt_only_a", "a", "b");
    await deadJob(item, "a");
    await deadJob(item, "b");

    const letters = await listDeadLetters(target, { destination: "a" }, { nowMs });
    expect(letters.map((letter) => letter.destination)).toEqual(["a"]);
    expect(new Set(received)).toEqual(new Set([dlqOf("a")]));
  });

  test("--max holds over the queues together", async () => {
    for (const id of ["a", "b", "a", "b"]) await deadJob(await deadEvent("evt_max", id), id);
    expect(await listDeadLetters(target, {}, { nowMs, max: 3 })).toHaveLength(3);
    expect(await listDeadLetters(target, {}, { nowMs })).toHaveLength(4);
  });

  test("rejects a destination that has no queue of its own, and a template without the destinations' list", async () => {
    await expect(listDeadLetters(target, { destination: "nowhere" }, { nowMs })).rejects.toMatchObject({
      name: "NotFoundError",
      code: "no_such_destination",
      message: "nowhere is not a destination of Oncegate (configured: a, b), so it has no dead-letter queue.",
    });
    const { destinationIds: _ids, ...unlisted } = target.resources;
    const older = { ...target, resources: unlisted };
    await expect(listDeadLetters(older, {}, { nowMs })).rejects.toMatchObject({
      name: "TargetError",
      code: "dead_letter_queues_unknown",
      message: expect.stringContaining("redeploy it with this version"),
    });
    await expect(redriveDeadLetters(older, { selection: {}, nowMs })).rejects.toMatchObject({
      code: "dead_letter_queues_unknown",
    });
    // One destination's queue needs no list: its name is the template's.
    expect(await listDeadLetters(older, { destination: "a" }, { nowMs })).toEqual([]);
    expect(received).toEqual([dlqOf("a")]);
  });
});

describe("dlq redrive over one dead-letter queue per destination", () => {
  test("sends each job back to its own destination's job queue, marks it, and empties both queues", async () => {
    const first = await deadEvent("evt_redrive", "a");
    const second = await deadEvent("evt_redrive", "a", "b");
    await deadJob(first, "a");
    await deadJob(second, "a");
    await deadJob(second, "b");

    expect(await countRedrivable(target, { selection: {}, nowMs })).toEqual({ count: 3 });
    expect(await countRedrivable(target, { selection: { destination: "b" }, nowMs })).toEqual({ count: 1 });
    const summary = await redriveDeadLetters(target, { selection: {}, nowMs });
    expect(summary).toMatchObject({ mode: "messages", matched: 3, sent: 3, markedRedriven: 3, failed: 0 });

    const jobsOf = (id: string) =>
      receiveAllBodies<{ pk: string; destination: string }>(local.sqs, jobQueueUrl(jobQueues, id));
    expect((await jobsOf("a")).sort((x, y) => x.pk.localeCompare(y.pk))).toEqual(
      [first, second].map(({ pk }) => ({ pk, destination: "a" })).sort((x, y) => x.pk.localeCompare(y.pk)),
    );
    expect(await jobsOf("b")).toEqual([{ pk: second.pk, destination: "b" }]);
    expect(await listDeadLetters(target, {}, { nowMs })).toEqual([]);
    expect((await storedEvent(ddb, eventsTable, second.pk)).destinations).toMatchObject({
      a: { status: "PENDING" },
      b: { status: "PENDING" },
    });
  });

  test("--destination b with --max 1 redrives one of b's jobs, from b's queue only", async () => {
    const item = await deadEvent("evt_redrive_b", "a", "b");
    const other = await deadEvent("evt_redrive_b", "b");
    await deadJob(item, "a");
    await deadJob(item, "b");
    await deadJob(other, "b");

    const summary = await redriveDeadLetters(target, { selection: { destination: "b" }, max: 1, nowMs });
    expect(summary).toMatchObject({ mode: "messages", matched: 1, sent: 1 });
    expect(new Set(received)).toEqual(new Set([dlqOf("b")]));
    expect(await receiveAllBodies(local.sqs, jobQueueUrl(jobQueues, "a"))).toEqual([]);
    expect(await receiveAllBodies(local.sqs, jobQueueUrl(jobQueues, "b"))).toHaveLength(1);
    const left = await listDeadLetters(target, {}, { nowMs });
    expect(left.map((letter) => letter.destination).sort()).toEqual(["a", "b"]);
  });
});

describe("events show over one dead-letter queue per destination", () => {
  test("finds the event's job in its destination's queue, reading only the queues of its destinations", async () => {
    const item = await deadEvent("evt_show", "b");
    const inB = await deadJob(item, "b");
    await deadJob(await deadEvent("evt_show_other", "a"), "a");

    const detail = await showEvent(target, item.pk, { nowMs });
    expect(detail.deadLetterQueue).toEqual({
      checked: "all",
      jobs: [{ destination: "b", messageId: inB, receiveCount: expect.any(Number) }],
    });
    expect(new Set(received)).toEqual(new Set([dlqOf("a"), dlqOf("b")]));

    // An event sent to a alone: b's queue is not read.
    const onlyA = queuedEvent(["a"], { eventId: `evt_show_a_${randomUUID().slice(0, 6)}`, status: "DEAD" });
    onlyA.destinations = { a: { status: "DEAD", attempts: 2, reason: "http_503" } };
    await putEvent(ddb, eventsTable, onlyA);
    const inA = await deadJob(onlyA, "a");
    received.length = 0;
    expect((await showEvent(target, onlyA.pk, { nowMs })).deadLetterQueue?.jobs).toEqual([
      { destination: "a", messageId: inA, receiveCount: expect.any(Number) },
    ]);
    expect(new Set(received)).toEqual(new Set([dlqOf("a")]));
  });
});

describe("the console's dead letters over one dead-letter queue per destination", () => {
  let running: RunningConsole;
  let cookie: string;
  let actionToken: string;
  beforeAll(async () => {
    running = await startConsole(target);
    ({ cookie, actionToken } = await signInConsole(running.url));
  });
  afterAll(async () => {
    await running.close();
  });

  test("shows one destination's jobs and redrives all of them to that destination's job queue", async () => {
    const item = await deadEvent("evt_console", "a", "b");
    await deadJob(item, "a");
    await deadJob(item, "b");

    const html = await (await fetch(`${running.baseUrl}/dead-letters?destination=b`, { headers: { cookie } })).text();
    expect(html).toContain("1 job(s), oldest first");
    expect(new Set(received)).toEqual(new Set([dlqOf("b")]));
    const redrive = await fetch(`${running.baseUrl}/api/dead-letters/redrive`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", "x-oncegate-console-token": actionToken },
      body: JSON.stringify({ destination: "b" }),
    });
    expect(redrive.status).toBe(200);
    expect(await redrive.json()).toMatchObject({ mode: "messages", matched: 1, sent: 1 });
    expect(await receiveAllBodies(local.sqs, jobQueueUrl(jobQueues, "b"))).toEqual([{ pk: item.pk, destination: "b" }]);
    const all = await (await fetch(`${running.baseUrl}/dead-letters`, { headers: { cookie } })).text();
    expect(all).toContain("1 job(s), oldest first");
  });
});

function byDestination(x: { destination?: string }, y: { destination?: string }): number {
  return (x.destination ?? "").localeCompare(y.destination ?? "");
}
