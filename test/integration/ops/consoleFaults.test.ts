import { createServer, type Server, type Socket } from "node:net";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { problemShardOf } from "../../../lambdas/shared/indexShards.ts";
import { type RunningConsole, startConsole } from "../../../ops/console/consoleServer.ts";
import { OPERATOR_CALL_LIMITS, operatorClientConfig } from "../../../ops/target/operatorClientLimits.ts";
import type { OperatorTarget } from "../../../ops/target/operatorTarget.ts";
import { launchChromium, screenshot } from "../../support/browser.ts";
import { type ConsoleSignIn, signInConsole } from "../../support/consoleSession.ts";
import { createEventsTable, DEFAULT_SHARDS, putEvent, queuedEvent, storedEvent } from "../../support/deliveryEvents.ts";
import { deleteTable, localClient } from "../../support/dynamoDbTables.ts";
import { type FaultKind, type FaultPlan, faultTimes, faultyClient } from "../../support/dynamoFaults.ts";
import { stackTargetOn } from "../../support/operatorTargets.ts";

/**
 * The console when AWS misbehaves the ways it does: DynamoDB throttling and 500s past the SDK's retries, an answer
 * lost after the write applied, and an endpoint that takes the connection and never answers. Every page and action
 * answers with a status and a JSON error code (never a hang, never a bare 500), and nothing stored is half-changed.
 */
const ddb = localClient();
let eventsTable: string;
let plan: FaultPlan = () => undefined;
const faulty = faultyClient((call) => plan(call));
let target: OperatorTarget;
let running: RunningConsole;
let session: ConsoleSignIn;
let sqsMock: ReturnType<typeof mockClient>;
const failed = queuedEvent(["orders"], { eventId: "evt_fault_failed" });

beforeAll(async () => {
  eventsTable = await createEventsTable(ddb, "console-faults");
  failed.status = "FAILED";
  failed.problemShard = problemShardOf(failed.pk, "FAILED", DEFAULT_SHARDS);
  failed.destinations = { orders: { status: "FAILED", attempts: 3, reason: "http_500" } };
  await putEvent(ddb, eventsTable, failed);
  target = stackTargetOn(faulty.client, eventsTable);
  sqsMock = mockClient(target.sqs);
  running = await startConsole(target);
  session = await signInConsole(running.url);
});
beforeEach(() => {
  plan = () => undefined;
  sqsMock.reset();
  sqsMock.on(SendMessageCommand).resolves({ MessageId: "m-1" });
});
afterAll(async () => {
  await running?.close();
  sqsMock?.restore();
  await deleteTable(ddb, eventsTable);
  ddb.destroy();
  faulty.client.destroy();
});

const always =
  (kind: FaultKind, command?: string): FaultPlan =>
  (call) =>
    command === undefined || call.commandName === command ? kind : undefined;
const page = (path: string) => fetch(`${running.baseUrl}${path}`, { headers: { cookie: session.cookie } });
const replay = () =>
  fetch(`${running.baseUrl}/api/events/stripe/evt_fault_failed/replay`, {
    method: "POST",
    headers: {
      cookie: session.cookie,
      "content-type": "application/json",
      "x-oncegate-console-token": session.actionToken,
    },
    body: JSON.stringify({ destination: "orders" }),
  });

describe("the console when DynamoDB misbehaves", () => {
  test.each([
    ["the events list", "/events?status=FAILED"],
    ["an event's page", "/events/stripe/evt_fault_failed"],
    ["the overview", "/overview"],
  ])("%s, throttled past the SDK's retries: 503 aws_throttled with Retry-After", async (_what, path) => {
    plan = always("throttle");
    const response = await page(path);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(await response.json()).toMatchObject({
      error: "aws_throttled",
      message: expect.stringContaining("try again in a few seconds"),
    });
  });

  test("a replay whose write is throttled past the retries: 503, nothing stored changed, no job sent", async () => {
    const before = await storedEvent(ddb, eventsTable, failed.pk);
    plan = always("throttle", "UpdateItemCommand");
    const response = await replay();
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "aws_throttled" });
    expect(await storedEvent(ddb, eventsTable, failed.pk)).toEqual(before);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  test("a 500 past the SDK's retries: 502 aws_server_error, not the console's own 500", async () => {
    plan = always("server_error", "QueryCommand");
    const response = await page("/events?status=FAILED");
    expect(response.status).toBe(502);
    expect(await response.json()).toMatchObject({ error: "aws_server_error" });
  });

  test("a replay whose answer is lost after it applied: the SDK's retry sees its own write; one round, one job", async () => {
    const before = await storedEvent(ddb, eventsTable, failed.pk);
    plan = faultTimes("lost_answer", 1, (call) => call.commandName === "UpdateItemCommand");
    const response = await replay();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ replayed: [{ destination: "orders", outcome: "replayed" }] });
    expect(faulty.injected.filter((fault) => fault.kind === "lost_answer").at(-1)).toMatchObject({ applied: true });
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(1);
    const after = await storedEvent(ddb, eventsTable, failed.pk);
    expect(after.destinations?.orders).toMatchObject({
      status: "PENDING",
      replays: (before.destinations?.orders?.replays ?? 0) + 1,
    });
  });
});

describe("live refresh when DynamoDB throttles, in a browser", () => {
  test("says why the table was not refreshed, keeps it, and clears the message once a refresh works", async () => {
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(running.signInUrl());
      // Any status: the replays above reopened the event.
      await tab.goto(`${running.baseUrl}/events?live=on`);
      await tab.getByRole("link", { name: "evt_fault_failed" }).waitFor();
      plan = always("throttle");
      const status = tab.locator("#refresh-status");
      await status.filter({ hasText: "aws_throttled" }).waitFor({ timeout: 10_000 });
      expect(await status.textContent()).toMatch(
        /^Not refreshed: AWS throttled .* try again in a few seconds\. \(aws_throttled\) The table is as it was/,
      );
      expect(await tab.getByRole("link", { name: "evt_fault_failed" }).count()).toBe(1);
      await screenshot(tab, "console-refresh-throttled");
      plan = () => undefined;
      await status.filter({ hasNotText: "aws_throttled" }).waitFor({ state: "attached", timeout: 10_000 });
      expect(await status.textContent()).toBe("");
    } finally {
      await browser.close();
    }
  }, 40_000);
});

describe("the console when DynamoDB takes the connection and never answers", () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let hung: RunningConsole;
  let hungTarget: OperatorTarget;
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as { port: number };
    // The operator's own client limits, as stackTarget builds its clients: the bound under test.
    const client = new DynamoDBClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: "eu-west-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      ...operatorClientConfig(),
    });
    hungTarget = stackTargetOn(client, eventsTable);
    hung = await startConsole(hungTarget);
  });
  afterAll(async () => {
    await hung?.close();
    hungTarget?.ddb.destroy();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  test("an event's page answers 504 aws_timeout once the attempts time out: bounded, not a hang", async () => {
    const signIn = await fetch(hung.url, { redirect: "manual" }); // no AWS call: the session only
    const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const started = Date.now();
    const response = await fetch(`${hung.baseUrl}/events/stripe/evt_fault_failed`, { headers: { cookie } });
    const elapsedMs = Date.now() - started;
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ error: "aws_timeout" });
    const { maxAttempts, requestTimeoutMs } = OPERATOR_CALL_LIMITS;
    expect(elapsedMs).toBeGreaterThanOrEqual(maxAttempts * requestTimeoutMs);
    // The attempts, the SDK's short backoffs between them, and no more.
    expect(elapsedMs).toBeLessThan(maxAttempts * requestTimeoutMs + 5_000);
    expect(sockets.length).toBeGreaterThanOrEqual(1);
  }, 40_000);
});
