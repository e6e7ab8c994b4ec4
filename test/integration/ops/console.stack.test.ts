import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { problemShardOf } from "../../../lambdas/shared/indexShards.ts";
import { type RunningConsole, startConsole } from "../../../ops/console/consoleServer.ts";
import { cloudWatchCounts } from "../../../ops/metrics/cloudWatchCounts.ts";
import type { OperatorTarget } from "../../../ops/target/operatorTarget.ts";
import { signInConsole } from "../../support/consoleSession.ts";
import { createEventsTable, DEFAULT_SHARDS, putEvent, queuedEvent, storedEvent } from "../../support/deliveryEvents.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { stackTargetOn } from "../../support/operatorTargets.ts";

/**
 * The console against a deployed gateway (`--stack`): the same pages and actions over a stack target, its events
 * table on DynamoDB Local and its queues answered by aws-sdk-client-mock (no SQS emulator behaves as AWS does for
 * these calls, and nothing here reaches AWS). What the console sends SQS is what the CLI sends: checked call by call.
 */
const ddb = localClient();
let eventsTable: string;
let target: OperatorTarget;
let running: RunningConsole;
let cookie: string;
let actionToken: string;
const sqs = () => mockClient(target.sqs);
let sqsMock: ReturnType<typeof sqs>;
// The stack's IntakeFunctionName and DeliveryFunctionName outputs: the metrics' dimension values.
const FUNCTIONS = { intake: "Oncegate-GatewayIntake-AbC123", delivery: "Oncegate-GatewayDelivery-DeF456" };
const cloudWatch = new CloudWatchClient({ region: "eu-west-1" });
const cloudWatchStub = () => mockClient(cloudWatch);
let cloudWatchMock: ReturnType<typeof cloudWatchStub>;
const failed = queuedEvent(["orders"], { eventId: "evt_stack_failed" });
const dead = queuedEvent(["orders"], { eventId: "evt_stack_dead" });

beforeAll(async () => {
  eventsTable = await createEventsTable(ddb, "console-stack");
  for (const [event, status] of [
    [failed, "FAILED"],
    [dead, "DEAD"],
  ] as const) {
    event.status = status;
    event.problemShard = problemShardOf(event.pk, status, DEFAULT_SHARDS);
    event.destinations = { orders: { status, attempts: 3, reason: "http_500" } };
    await putEvent(ddb, eventsTable, event);
  }
  target = { ...stackTargetOn(ddb, eventsTable), metrics: cloudWatchCounts(cloudWatch, FUNCTIONS) };
  sqsMock = sqs();
  cloudWatchMock = cloudWatchStub();
  running = await startConsole(target);
  ({ cookie, actionToken } = await signInConsole(running.url));
});
beforeEach(() => {
  sqsMock.reset();
  cloudWatchMock.reset();
});
afterAll(async () => {
  await running?.close();
  sqsMock?.restore();
  cloudWatchMock?.restore();
  cloudWatch.destroy();
  await deleteTable(ddb, eventsTable);
  ddb.destroy();
});

const page = (path: string) => fetch(`${running.baseUrl}${path}`, { headers: { cookie } });
const action = (path: string, body: unknown) =>
  fetch(`${running.baseUrl}${path}`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", "x-oncegate-console-token": actionToken },
    body: JSON.stringify(body),
  });

describe("the console on a stack target", () => {
  test("lists the FAILED event and shows its page, read from the stack's table", async () => {
    const list = await page("/events?status=FAILED&window=1d");
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain("evt_stack_failed");
    expect(html).not.toContain("evt_stack_dead"); // its overall status is DEAD
    const event = await (await page("/events/stripe/evt_stack_failed")).text();
    expect(event).toContain("Replay to orders");
  });

  test("Replay reopens the destination and sends its job to the stack's delivery queue, as the CLI does", async () => {
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const response = await action("/api/events/stripe/evt_stack_failed/replay", { destination: "orders" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ replayed: [{ destination: "orders", outcome: "replayed" }] });
    const sent = sqsMock.commandCalls(SendMessageCommand).map((call) => call.args[0].input);
    expect(sent).toEqual([
      expect.objectContaining({
        QueueUrl: target.resources.deliveryQueueUrl,
        MessageBody: JSON.stringify({ pk: failed.pk, destination: "orders" }),
      }),
    ]);
    const state = await storedEvent(ddb, eventsTable, failed.pk);
    expect(state.destinations?.orders?.status).toBe("PENDING");
    expect(state.destinations?.orders?.lastReplay?.by).toBe("arn:aws:iam::123456789012:user/alice");
  });

  test("Dead letters reads the stack's dead-letter queue and gives every message back", async () => {
    sqsMock
      .on(ReceiveMessageCommand)
      .resolvesOnce({
        Messages: [
          {
            MessageId: "dlq-1",
            ReceiptHandle: "rh-1",
            Body: JSON.stringify({ pk: dead.pk, destination: "orders" }),
            Attributes: { ApproximateReceiveCount: "4", SentTimestamp: String(Date.now() - 60_000) },
          },
        ],
      })
      .resolves({ Messages: [] });
    sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: "0" }], Failed: [] });
    sqsMock.on(ChangeMessageVisibilityCommand).resolves({});
    const html = await (await page("/dead-letters")).text();
    expect(html).toContain("stripe/evt_stack_dead");
    expect(html).toContain("Redrive evt_stack_dead to orders");
    const received = sqsMock.commandCalls(ReceiveMessageCommand).map((call) => call.args[0].input.QueueUrl);
    expect(new Set(received)).toEqual(new Set([target.resources.deadLetterQueueUrl]));
    const givenBack =
      sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand).length +
      sqsMock.commandCalls(ChangeMessageVisibilityCommand).length;
    expect(givenBack).toBeGreaterThan(0);
  });

  test("an identity without the operator policy gets 502 access_denied in one sentence; a replay after the fix sends the job", async () => {
    sqsMock.on(SendMessageCommand).rejects(Object.assign(new Error("not allowed"), { name: "AccessDenied" }));
    const response = await action("/api/events/stripe/evt_stack_dead/replay", { destination: "orders" });
    const body = (await response.json()) as { error: string; message: string };
    expect({ status: response.status, error: body.error }).toEqual({ status: 502, error: "access_denied" });
    expect(body.message).toContain("OperatorPolicyArn");
    // As with the CLI, the destination was reopened before the send was refused: it reads PENDING, and the replay
    // asked again (the policy attached) sends the job that never left, instead of refusing it as being delivered.
    expect((await storedEvent(ddb, eventsTable, dead.pk)).destinations?.orders?.status).toBe("PENDING");
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({ MessageId: "m-2" });
    const again = await action("/api/events/stripe/evt_stack_dead/replay", { destination: "orders" });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ replayed: [{ destination: "orders", outcome: "resent" }] });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(1);
  });
});

describe("the overview on a stack target: the gateway's counts from CloudWatch", () => {
  const NOW = Date.now();

  test("charts accepted, duplicates and delivery outcomes per minute, read with one GetMetricData of the Sums", async () => {
    const minute = Math.floor((NOW - 3_600_000) / 60_000) * 60_000 + 10 * 60_000;
    const at = (minutes: number) => new Date(minute + minutes * 60_000);
    cloudWatchMock.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: "m0", Timestamps: [at(0), at(1)], Values: [40, 2] }, // Accepted
        { Id: "m1", Timestamps: [at(0), at(1)], Values: [7, 5] }, // Duplicate
        { Id: "m2", Timestamps: [at(1)], Values: [39] }, // Delivered
        { Id: "m3", Timestamps: [], Values: [] }, // Failed
        { Id: "m4", Timestamps: [at(1)], Values: [1] }, // Dead
        { Id: "m5", Timestamps: [at(0)], Values: [3] }, // Unrouted
      ],
    });
    const html = await (await page("/overview")).text();
    expect(html).toMatch(
      /<table id="gateway-totals">.*<tbody><tr><td>42<\/td><td>12<\/td><td>39<\/td><td>0<\/td><td>1<\/td><td>3<\/td><\/tr>/s,
    );
    expect(html).toContain(
      'aria-label="42 accepted, 12 duplicates, 39 delivered, 0 failed, 1 dead, 3 unrouted (accepted, sent nowhere)',
    );
    expect(html).toContain("from CloudWatch (namespace Oncegate)");
    const [request] = cloudWatchMock.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
    expect(request?.MetricDataQueries?.map((query) => query.MetricStat)).toEqual(
      [
        ["Accepted", FUNCTIONS.intake],
        ["Duplicate", FUNCTIONS.intake],
        ["Delivered", FUNCTIONS.delivery],
        ["Failed", FUNCTIONS.delivery],
        ["Dead", FUNCTIONS.delivery],
        ["Unrouted", FUNCTIONS.intake],
      ].map(([name, fn]) => ({
        Metric: { Namespace: "Oncegate", MetricName: name, Dimensions: [{ Name: "FunctionName", Value: fn }] },
        Period: 60,
        Stat: "Sum",
      })),
    );
    // Whole minutes: the window starts on a minute's boundary.
    expect(new Date(request?.StartTime ?? NaN).getTime() % 60_000).toBe(0);
  });

  test("a day's window asks for quarter hours, and follows NextToken", async () => {
    cloudWatchMock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: "m1", Timestamps: [new Date(NOW - 7_200_000)], Values: [3] }],
        NextToken: "t1",
      })
      .resolves({ MetricDataResults: [{ Id: "m1", Timestamps: [new Date(NOW - 3_600_000)], Values: [4] }] });
    const html = await (await page("/overview?window=1d")).text();
    expect(html).toMatch(/<table id="gateway-totals">.*<tbody><tr><td>0<\/td><td>7<\/td>/s);
    const calls = cloudWatchMock.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.NextToken)).toEqual([undefined, "t1"]);
    expect(calls[0]?.MetricDataQueries?.[0]?.MetricStat?.Period).toBe(900);
  });

  test("an identity without cloudwatch:GetMetricData: the page says so with its code, and still shows the events", async () => {
    cloudWatchMock
      .on(GetMetricDataCommand)
      .rejects(
        Object.assign(new Error("not authorized to perform: cloudwatch:GetMetricData"), { name: "AccessDenied" }),
      );
    const response = await page("/overview");
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(
      /<p id="gateway-counts-problem" class="error">Not read: .*OperatorPolicyArn.*<code>access_denied<\/code>/,
    );
    expect(html).toContain('<table id="by-status">');
  });
});

describe("bad input to the console", () => {
  test.each([
    ["a malformed escape in an event's address", () => page("/events/stripe/%E0%A4%A"), 400, "invalid_path"],
    ["an unknown status", () => page("/events?status=LOST"), 400, "invalid_status"],
    ["an unknown window", () => page("/overview?window=1y"), 400, "invalid_window"],
    ["no such event", () => page("/events/stripe/evt_never"), 404, "no_such_event"],
    ["an unknown page", () => page("/nowhere"), 404, "not_found"],
    [
      "a replay's unknown field",
      () => action("/api/events/stripe/evt_stack_failed/replay", { to: "x" }),
      400,
      "unknown_field",
    ],
    [
      "a replay to no such destination",
      () => action("/api/events/stripe/evt_stack_failed/replay", { destination: "nope" }),
      404,
      "no_such_destination",
    ],
    [
      "a body that is not JSON",
      () =>
        fetch(`${running.baseUrl}/api/keys/release`, {
          method: "POST",
          headers: { cookie, "x-oncegate-console-token": actionToken },
          body: "{",
        }),
      400,
      "invalid_json",
    ],
    [
      "a release without a table on a stack",
      () => action("/api/keys/release", { key: "whk_x", reason: "r" }),
      400,
      "missing_table",
    ],
    ["a recover of another status", () => action("/api/recover/count", { status: "DELIVERED" }), 400, "invalid_status"],
    ["a recover at 0 a second", () => action("/api/recover/start", { status: "FAILED", rate: 0 }), 400, "invalid_rate"],
    ["a redrive's unknown field", () => action("/api/dead-letters/redrive", { all: true }), 400, "unknown_field"],
    [
      "a redrive of no picked message",
      () => action("/api/dead-letters/redrive", { messageIds: [] }),
      400,
      "invalid_message_ids",
    ],
    [
      "a redrive of a picked message that is no id",
      () => action("/api/dead-letters/redrive", { messageIds: [42] }),
      400,
      "invalid_message_ids",
    ],
    [
      "a redrive of more than a page's messages",
      () => action("/api/dead-letters/redrive", { messageIds: Array.from({ length: 101 }, (_, n) => `m-${n}`) }),
      400,
      "invalid_message_ids",
    ],
    ["an events page's cursor that none wrote", () => page("/events?after=12:"), 400, "invalid_cursor"],
    [
      "a DELETE",
      () => fetch(`${running.baseUrl}/events`, { method: "DELETE", headers: { cookie } }),
      405,
      "method_not_allowed",
    ],
  ] as const)("%s: %d with the JSON error code", async (_what, send, status, error) => {
    const before = await storedEvent(ddb, eventsTable, failed.pk);
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toMatchObject({ error, message: expect.any(String) });
    // Nothing stored changed.
    expect(await storedEvent(ddb, eventsTable, failed.pk)).toEqual(before);
  });
});

test("a taken --port is refused in one sentence, with a code", async () => {
  const port = Number(new URL(running.baseUrl).port);
  await expect(startConsole(target, { port })).rejects.toMatchObject({
    code: "port_in_use",
    message: `Port ${port} is in use: pass another --port, or none.`,
  });
});
