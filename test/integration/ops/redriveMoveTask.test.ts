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
