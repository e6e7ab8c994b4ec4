import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { redriveDeadLetters } from "../../../ops/deadLetters/redriveDeadLetters.ts";
import type { OperatorTarget } from "../../../ops/target/operatorTarget.ts";
import { createEventsTable, putEvent, queuedEvent, storedEvent } from "../../support/deliveryEvents.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { STACK_DLQ_ARN, stackTargetOn } from "../../support/operatorTargets.ts";

/** The whole-queue redrive on AWS: SQS's message move task (fauxqs has none), after marking every destination. */
const sqsMock = mockClient(SQSClient);
const ddb = localClient();
const DLQ_ARN = STACK_DLQ_ARN;
let eventsTable: string;
let target: OperatorTarget;

beforeAll(async () => {
  eventsTable = await createEventsTable(ddb, "ops-move-task");
  target = stackTargetOn(ddb, eventsTable);
});
afterAll(async () => {
  sqsMock.restore();
  await deleteTable(ddb, eventsTable);
  ddb.destroy();
});
beforeEach(() => {
  sqsMock.reset();
});

async function deadEvent() {
  const item = queuedEvent(["orders"], {
    status: "DEAD",
    destinations: { orders: { status: "DEAD", attempts: 3, reason: "http_503", deadMessageId: "died" } },
  });
  await putEvent(ddb, eventsTable, item);
  return item;
}

function message(pk: string, id: string) {
  return {
    MessageId: id,
    ReceiptHandle: `rh-${id}`,
    Body: JSON.stringify({ pk, destination: "orders" }),
    Attributes: { ApproximateReceiveCount: "12", SentTimestamp: String(Date.now() - 60_000) },
  };
}

describe("dlq redrive of the whole queue on AWS", () => {
  test("marks every job's destination redriven, gives the messages back, then starts one message move task", async () => {
    const [first, second] = [await deadEvent(), await deadEvent()];
    sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: "COMPLETED", TaskHandle: "old" }] });
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(first.pk, "m1"), message(second.pk, "m2")] })
      .resolves({ Messages: [] });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: "task-1" });

    const summary = await redriveDeadLetters(target, { selection: {}, nowMs: Date.now });

    expect(summary).toMatchObject({
      mode: "move-task",
      matched: 2,
      markedRedriven: 2,
      sent: 0,
      failed: 0,
      taskHandle: "task-1",
    });
    for (const item of [first, second]) {
      const stored = await storedEvent(ddb, eventsTable, item.pk);
      expect(stored.status).toBe("QUEUED");
      expect(stored.destinations.orders?.status).toBe("PENDING");
    }
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      { SourceArn: DLQ_ARN },
    ]);
    // Given back at once (visibility 0 on AWS), and neither re-sent nor deleted by the CLI: SQS moves them.
    expect(
      sqsMock.commandCalls(ChangeMessageVisibilityCommand).map((call) => call.args[0].input.VisibilityTimeout),
    ).toEqual([0, 0]);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  test("refuses to start a second move task while one is running, writing nothing", async () => {
    const item = await deadEvent();
    sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [{ Status: "RUNNING", TaskHandle: "task-0" }] });
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [message(item.pk, "m3")] });

    await expect(redriveDeadLetters(target, { selection: {}, nowMs: Date.now })).rejects.toMatchObject({
      code: "move_task_running",
      message: expect.stringContaining("task task-0"),
    });
    expect((await storedEvent(ddb, eventsTable, item.pk)).destinations.orders?.status).toBe("DEAD");
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  test("uses receive, send and delete, never a move task, for a selection", async () => {
    const item = await deadEvent();
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: "1" } });
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({ Messages: [message(item.pk, "m4")] })
      .resolves({ Messages: [] });
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "new" });
    sqsMock.on(DeleteMessageCommand).resolves({});

    const summary = await redriveDeadLetters(target, { selection: { destination: "orders" }, nowMs: Date.now });

    expect(summary).toMatchObject({ mode: "messages", matched: 1, sent: 1, markedRedriven: 1 });
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
    // Sent before deleted: a crash in between leaves a duplicate job, never a lost one.
    const order = sqsMock.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(order.indexOf("SendMessageCommand")).toBeLessThan(order.indexOf("DeleteMessageCommand"));
    expect(sqsMock.commandCalls(SendMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: target.resources.deliveryQueueUrl,
      MessageBody: JSON.stringify({ pk: item.pk, destination: "orders" }),
    });
    expect(sqsMock.commandCalls(DeleteMessageCommand)[0]?.args[0].input).toEqual({
      QueueUrl: target.resources.deadLetterQueueUrl,
      ReceiptHandle: "rh-m4",
    });
  });
});

describe("dlq redrive of every queue on AWS, one dead-letter queue per destination", () => {
  const dlqUrl = (id: string) => `https://sqs.eu-west-1.amazonaws.com/123456789012/og1a2b3c4d-${id}-dlq`;
  const dlqArn = (id: string) => `arn:aws:sqs:eu-west-1:123456789012:og1a2b3c4d-${id}-dlq`;
  /** The stack's outputs since issue 19: DeadLetterQueueUrl and DeadLetterQueueArn are templates. */
  const perDestination = (): OperatorTarget => ({
    ...target,
    resources: {
      ...target.resources,
      deliveryQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/og1a2b3c4d-{destination}",
      deadLetterQueueUrl: dlqUrl("{destination}"),
      deadLetterQueueArn: dlqArn("{destination}"),
    },
  });

  async function deadFor(destination: string) {
    const item = queuedEvent([destination], {
      status: "DEAD",
      destinations: { [destination]: { status: "DEAD", attempts: 3, reason: "http_503", deadMessageId: "died" } },
    });
    await putEvent(ddb, eventsTable, item);
    return item;
  }

  const jobIn = (pk: string, destination: string, id: string) => ({
    ...message(pk, id),
    Body: JSON.stringify({ pk, destination }),
  });

  test("marks the jobs found in each destination's queue, then starts one move task per queue's ARN", async () => {
    const [orders, audit] = [await deadFor("orders"), await deadFor("audit")];
    sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
    sqsMock
      .on(ReceiveMessageCommand, { QueueUrl: dlqUrl("orders") })
      .resolvesOnce({ Messages: [jobIn(orders.pk, "orders", "o1")] })
      .resolves({ Messages: [] });
    sqsMock
      .on(ReceiveMessageCommand, { QueueUrl: dlqUrl("audit") })
      .resolvesOnce({ Messages: [jobIn(audit.pk, "audit", "a1")] })
      .resolves({ Messages: [] });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    sqsMock.on(StartMessageMoveTaskCommand, { SourceArn: dlqArn("orders") }).resolves({ TaskHandle: "task-orders" });
    sqsMock.on(StartMessageMoveTaskCommand, { SourceArn: dlqArn("audit") }).resolves({ TaskHandle: "task-audit" });

    const summary = await redriveDeadLetters(perDestination(), { selection: {}, nowMs: Date.now });

    expect(summary).toMatchObject({
      mode: "move-task",
      matched: 2,
      markedRedriven: 2,
      failed: 0,
      taskHandle: "task-orders",
      taskHandles: ["task-orders", "task-audit"],
    });
    expect((await storedEvent(ddb, eventsTable, orders.pk)).destinations.orders?.status).toBe("PENDING");
    expect((await storedEvent(ddb, eventsTable, audit.pk)).destinations.audit?.status).toBe("PENDING");
    // The destinations' order (stackTargetOn's DestinationIds: orders, audit); each task moves its queue's jobs back
    // to the queue they died in, that destination's job queue.
    expect(sqsMock.commandCalls(ListMessageMoveTasksCommand).map((call) => call.args[0].input.SourceArn)).toEqual([
      dlqArn("orders"),
      dlqArn("audit"),
    ]);
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand).map((call) => call.args[0].input)).toEqual([
      { SourceArn: dlqArn("orders") },
      { SourceArn: dlqArn("audit") },
    ]);
    expect(
      sqsMock
        .commandCalls(ChangeMessageVisibilityCommand)
        .map((call) => [call.args[0].input.QueueUrl, call.args[0].input.VisibilityTimeout])
        .sort(),
    ).toEqual([
      [dlqUrl("audit"), 0],
      [dlqUrl("orders"), 0],
    ]);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  test("refuses while a task moves one destination's queue, naming it, and writes nothing", async () => {
    const item = await deadFor("orders");
    sqsMock.on(ListMessageMoveTasksCommand).resolves({ Results: [] });
    sqsMock
      .on(ListMessageMoveTasksCommand, { SourceArn: dlqArn("audit") })
      .resolves({ Results: [{ Status: "RUNNING", TaskHandle: "task-0" }] });
    sqsMock.on(ReceiveMessageCommand).resolves({ Messages: [jobIn(item.pk, "orders", "o2")] });

    await expect(redriveDeadLetters(perDestination(), { selection: {}, nowMs: Date.now })).rejects.toMatchObject({
      code: "move_task_running",
      message:
        "SQS is already moving the messages of the dead-letter queue of audit (task task-0): wait for it to finish, then run dlq redrive again.",
    });
    expect((await storedEvent(ddb, eventsTable, item.pk)).destinations.orders?.status).toBe("DEAD");
    expect(sqsMock.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });
});
