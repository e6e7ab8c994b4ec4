import { PassThrough } from "node:stream";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "@jest/globals";
import { mockClient } from "aws-sdk-client-mock";
import { readDestinationControl, updateDestinationControl } from "../../../lambdas/shared/destinationControl.ts";
import type { CliIo } from "../../../ops/cli/cliIo.ts";
import { runCli } from "../../../ops/cli/program.ts";
import { pauseDestination, resumeDestination } from "../../../ops/destinations/destinationPause.ts";
import { listDestinations } from "../../../ops/destinations/listDestinations.ts";
import { localTarget } from "../../../ops/target/localTarget.ts";
import type { OperatorTarget } from "../../../ops/target/operatorTarget.ts";
import { type EmulatedGateway, startEmulatedGateway } from "../../support/emulatedGateway.ts";

/**
 * `destinations list|pause|resume`: the CLI in this process (its `runCli`, with captured streams) and the library,
 * on an events table in DynamoDB Local and real job queues in fauxqs (`startEmulatedGateway`). On a stack, Lambda's
 * event source mappings are answered by aws-sdk-client-mock: no emulator has them.
 */
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);
// Every Lambda client of this file (the stack targets' own): its event source mappings, answered here.
const lambdaMock = mockClient(LambdaClient);
let gateway: EmulatedGateway;
const control = (id: string) =>
  readDestinationControl({ client: gateway.ddb, tableName: gateway.eventsTable }, id, { consistent: true });

async function cli(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk) => {
    out += chunk;
  });
  stderr.on("data", (chunk) => {
    err += chunk;
  });
  const io: CliIo = { stdout, stderr, stdin: new PassThrough(), env: {}, nowMs: () => NOW };
  const code = await runCli(argv, io);
  return { code, stdout: out, stderr: err };
}

beforeAll(async () => {
  gateway = await startEmulatedGateway(["orders", "audit", "crm"]);
  // orders: three jobs, one of them received (in flight); audit: one delayed job, and a circuit that opened.
  const { sqs } = gateway.sqs;
  for (const n of [1, 2, 3]) {
    await sqs.send(new SendMessageCommand({ QueueUrl: gateway.queueUrlOf("orders"), MessageBody: `job ${n}` }));
  }
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: gateway.queueUrlOf("orders"),
      MaxNumberOfMessages: 1,
      VisibilityTimeout: 300,
    }),
  );
  expect(received.Messages).toHaveLength(1);
  await sqs.send(
    new SendMessageCommand({ QueueUrl: gateway.queueUrlOf("audit"), MessageBody: "later", DelaySeconds: 300 }),
  );
  await updateDestinationControl({ client: gateway.ddb, tableName: gateway.eventsTable }, "audit", {
    set: {
      circuit: "open",
      consecutiveFailures: 12,
      openedAtMs: NOW - 120_000,
      probeAtMs: NOW + 25_000,
      probeDelaySeconds: 30,
      lastFailureAtMs: NOW - 5_000,
      lastFailureReason: "http_503",
      lastSuccessAtMs: NOW - 7_200_000,
    },
    change: { atMs: NOW - 120_000, change: "opened", reason: "http_503", by: "delivery" },
  });
});
afterAll(async () => {
  lambdaMock.restore();
  await gateway?.stop();
});

const local = () => ["--local", gateway.url];

describe("destinations list", () => {
  test("shows each queue's backlog and in flight, and each state from its control item", async () => {
    const run = await cli(["destinations", "list", ...local(), "--json"]);
    expect(run.code).toBe(0);
    const views = JSON.parse(run.stdout);
    expect(views).toEqual([
      { id: "orders", state: "active", backlog: 2, inFlight: 1, consecutiveFailures: 0, history: [] },
      {
        id: "audit",
        state: "open",
        backlog: 1,
        inFlight: 0,
        consecutiveFailures: 12,
        lastFailureAtMs: NOW - 5_000,
        lastFailureReason: "http_503",
        lastSuccessAtMs: NOW - 7_200_000,
        openedAtMs: NOW - 120_000,
        probeAtMs: NOW + 25_000,
        history: [{ atMs: NOW - 120_000, change: "opened", reason: "http_503", by: "delivery" }],
      },
      { id: "crm", state: "active", backlog: 0, inFlight: 0, consecutiveFailures: 0, history: [] },
    ]);
  });

  test("prints a table, and under it what the columns cannot say", async () => {
    const run = await cli(["destinations", "list", ...local()]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        "id      state   backlog  in flight  failures  last success  last failure",
        "orders  active  2        1          0         —             —",
        "audit   open    1        0          12        2 h ago       5 s ago (http_503)",
        "crm     active  0        0          0         —             —",
        "",
        "audit: circuit open since 2 min ago, next probe in 25 s.",
        "",
      ].join("\n"),
    );
  });
});

describe("destinations pause and resume, on the local stack", () => {
  test("pause writes the item paused, by whom, why, and a history change; its worker stops polling", async () => {
    const run = await cli(["destinations", "pause", "orders", "--reason", "maintenance window", ...local()]);
    expect(run).toEqual({
      code: 0,
      stdout: `Paused orders on ${gateway.url}: no attempt is made (none is consumed) until it is resumed; its worker stops polling within a few seconds and its jobs wait in its queue: resume with npx oncegate destinations resume orders.\n`,
      stderr: "",
    });
    expect(await control("orders")).toMatchObject({
      paused: true,
      pausedAtMs: NOW,
      pausedBy: "local-operator",
      pauseReason: "maintenance window",
      history: [{ atMs: NOW, change: "paused", by: "local-operator", reason: "maintenance window" }],
    });
    const listed = JSON.parse((await cli(["destinations", "list", ...local(), "--json"])).stdout);
    expect(listed[0]).toMatchObject({ id: "orders", state: "paused", backlog: 2, pauseReason: "maintenance window" });
  });

  test("pausing it again changes nothing, and says so (exit 0, changed: false)", async () => {
    const before = await control("orders");
    const run = await cli(["destinations", "pause", "orders", "--reason", "again", ...local(), "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      id: "orders",
      changed: false,
      state: "paused",
      pausedAtMs: NOW,
      pausedBy: "local-operator",
      pauseReason: "maintenance window",
      pollers: { kind: "local_worker" },
    });
    expect(await control("orders")).toEqual(before);
    const human = await cli(["destinations", "pause", "orders", ...local()]);
    expect(human.stdout).toBe(
      'orders is already paused (since 0 s ago, by local-operator: "maintenance window"): nothing changed.\n',
    );
  });

  test("resume clears the pause and adds its change; a second resume changes nothing", async () => {
    const run = await cli(["destinations", "resume", "orders", ...local(), "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      id: "orders",
      changed: true,
      state: "active",
      pollers: { kind: "local_worker" },
    });
    const resumed = await control("orders");
    expect(resumed).not.toHaveProperty("pausedAtMs");
    expect(resumed).not.toHaveProperty("pauseReason");
    expect(resumed.paused).toBe(false);
    expect(resumed.history.map((change) => change.change)).toEqual(["paused", "resumed"]);
    const again = await cli(["destinations", "resume", "orders", ...local()]);
    expect(again).toEqual({ code: 0, stdout: "orders is not paused: nothing changed.\n", stderr: "" });
  });

  test("resuming a destination whose circuit is open says its jobs still wait for the probe", async () => {
    await cli(["destinations", "pause", "audit", ...local()]);
    expect((await control("audit")).pauseReason).toBeUndefined();
    const run = await cli(["destinations", "resume", "audit", ...local()]);
    expect(run.stdout).toBe(
      `Resumed audit on ${gateway.url}: its jobs are attempted again (its circuit is open: its jobs wait for the next probe), its worker polling within a few seconds.\n`,
    );
  });

  test("rejects an unknown id with the configured ones (exit 2, unknown_destination), writing nothing", async () => {
    const run = await cli(["destinations", "pause", "ordrs", ...local(), "--json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `oncegate: "ordrs" is not a destination of ${gateway.url} (its destinations are orders, audit, crm): pass one of its ids.\n`,
    );
    expect(JSON.parse(run.stdout)).toEqual({ error: { code: "unknown_destination", message: expect.any(String) } });
    expect(await control("ordrs")).toMatchObject({ paused: false, history: [] });
    expect((await cli(["destinations", "resume", "nope", ...local()])).code).toBe(2);
  });

  test("rejects a reason over 200 characters (exit 2, invalid_reason)", async () => {
    const run = await cli(["destinations", "pause", "crm", "--reason", "x".repeat(201), ...local(), "--json"]);
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe("invalid_reason");
    expect((await control("crm")).paused).toBe(false);
  });
});

describe("destinations pause and resume, on a stack (Lambda mocked)", () => {
  const UUIDS = {
    orders: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
    audit: "1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d",
    crm: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
  };
  const lambda = new LambdaClient({ region: "eu-west-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  let stack: OperatorTarget;
  /** Each mapping's state, as the mocked Lambda keeps it; and what the control item said at each update. */
  const states = new Map<string, string>();
  const seenAtUpdate: { uuid: string; enabled: boolean; paused: boolean }[] = [];

  beforeAll(async () => {
    const base = await localTarget(gateway.url);
    stack = {
      ...base,
      kind: "stack",
      label: "Oncegate",
      identity: async () => "arn:aws:iam::123456789012:user/alice",
      lambda,
      eventSources: new Map(Object.entries(UUIDS)),
    };
  });
  beforeEach(() => {
    lambdaMock.reset();
    seenAtUpdate.length = 0;
    for (const uuid of Object.values(UUIDS)) states.set(uuid, "Enabled");
    lambdaMock.on(GetEventSourceMappingCommand).callsFake(({ UUID }) => ({ UUID, State: states.get(UUID) }));
    lambdaMock.on(UpdateEventSourceMappingCommand).callsFake(async ({ UUID, Enabled }) => {
      const id = Object.entries(UUIDS).find(([, uuid]) => uuid === UUID)?.[0] ?? "";
      seenAtUpdate.push({ uuid: UUID, enabled: Enabled, paused: (await control(id)).paused });
      states.set(UUID, Enabled ? "Enabling" : "Disabling");
      return { UUID, State: states.get(UUID) };
    });
  });
  afterAll(() => {
    lambda.destroy();
    stack?.close();
  });

  test("pause writes the item, then disables the destination's mapping (Enabled: false, its UUID)", async () => {
    const result = await pauseDestination(stack, "crm", {
      identity: "arn:aws:iam::123456789012:user/alice",
      nowMs: NOW,
    });
    expect(result).toEqual({
      id: "crm",
      changed: true,
      state: "paused",
      pausedAtMs: NOW,
      pausedBy: "arn:aws:iam::123456789012:user/alice",
      pollers: { kind: "event_source_mapping", uuid: UUIDS.crm, state: "Disabling", changed: true },
    });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand).map((call) => call.args[0].input)).toEqual([
      { UUID: UUIDS.crm, Enabled: false },
    ]);
    // The item said paused when the mapping was switched: no attempt in between.
    expect(seenAtUpdate).toEqual([{ uuid: UUIDS.crm, enabled: false, paused: true }]);
  });

  test("a second pause finds the mapping disabled and updates nothing", async () => {
    states.set(UUIDS.crm, "Disabled");
    const result = await pauseDestination(stack, "crm", { identity: "arn:aws:iam::123456789012:user/bob" });
    expect(result).toMatchObject({ changed: false, pausedBy: "arn:aws:iam::123456789012:user/alice" });
    expect(result.pollers).toEqual({
      kind: "event_source_mapping",
      uuid: UUIDS.crm,
      state: "Disabled",
      changed: false,
    });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)).toHaveLength(0);
  });

  test("list shows each mapping's state, and a pause cut off before its mapping as a mismatch", async () => {
    states.set(UUIDS.crm, "Enabled"); // as a pause that wrote the item and was cut off would leave it
    const views = await listDestinations(stack);
    expect(views.map(({ id, state, eventSourceState }) => ({ id, state, eventSourceState }))).toEqual([
      { id: "orders", state: "active", eventSourceState: "Enabled" },
      { id: "audit", state: "open", eventSourceState: "Enabled" },
      { id: "crm", state: "paused", eventSourceState: "Enabled" },
    ]);
    // Pausing again mends it: the item is left as it is, the mapping disabled.
    const mended = await pauseDestination(stack, "crm", { identity: "arn:aws:iam::123456789012:user/alice" });
    expect(mended).toMatchObject({ changed: false, pollers: { state: "Disabling", changed: true } });
  });

  test("resume clears the item, then enables the mapping (Enabled: true)", async () => {
    states.set(UUIDS.crm, "Disabled");
    const result = await resumeDestination(stack, "crm", { identity: "arn:aws:iam::123456789012:user/alice" });
    expect(result).toMatchObject({ changed: true, state: "active" });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand).map((call) => call.args[0].input)).toEqual([
      { UUID: UUIDS.crm, Enabled: true },
    ]);
    expect(seenAtUpdate).toEqual([{ uuid: UUIDS.crm, enabled: true, paused: false }]);
  });

  test("a mapping Lambda refuses leaves the item paused, and says so in one sentence with the AWS code", async () => {
    lambdaMock
      .on(UpdateEventSourceMappingCommand)
      .rejects(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" }));
    const failure = await pauseDestination(stack, "crm", { identity: "arn:aws:iam::123456789012:user/alice" }).catch(
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({
      name: "TargetError",
      code: "access_denied",
      message:
        "Paused crm, but its event source mapping is still enabled (its jobs are received and held): your AWS identity may not disable the event source mapping of crm (lambda:UpdateEventSourceMapping): attach the stack's OperatorPolicyArn managed policy to it, then run npx oncegate destinations pause crm again.",
    });
    expect((await control("crm")).paused).toBe(true);
    await resumeDestination({ ...stack, eventSources: undefined }, "crm", { identity: "test" });
  });
});

describe("destinations pause on a stack, from the CLI", () => {
  const cloudFormation = mockClient(CloudFormationClient);
  const sts = mockClient(STSClient);
  const outputs = (extra: Record<string, string>) => ({
    Stacks: [
      {
        StackName: "Oncegate",
        CreationTime: new Date(0),
        StackStatus: "UPDATE_COMPLETE" as const,
        Outputs: Object.entries({
          EventsTableName: gateway.eventsTable,
          DeliveryQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/og-{destination}",
          DeadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/og-{destination}-dlq",
          DeadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:og-{destination}-dlq",
          RetryScheduleSeconds: "5,300,1800",
          DestinationIds: "orders,audit,crm",
          ...extra,
        }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  });
  const stackArgs = ["--stack", "Oncegate", "--region", "eu-west-1"];
  beforeEach(() => {
    for (const mock of [cloudFormation, sts, lambdaMock]) mock.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Arn: "arn:aws:iam::123456789012:user/alice" });
  });
  afterAll(() => {
    for (const mock of [cloudFormation, sts]) mock.restore();
  });

  test("disables the mapping the DeliveryEventSources output names, and says the queue keeps the jobs 14 days", async () => {
    const uuid = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    cloudFormation
      .on(DescribeStacksCommand)
      .resolves(outputs({ DeliveryEventSources: `orders=${uuid},audit=1a2b3c4d-5e6f-4a1b-8c2d-3e4f5a6b7c8d` }));
    lambdaMock.on(GetEventSourceMappingCommand).resolves({ UUID: uuid, State: "Enabled" });
    lambdaMock.on(UpdateEventSourceMappingCommand).resolves({ UUID: uuid, State: "Disabling" });
    const run = await cli(["destinations", "pause", "orders", ...stackArgs]);
    expect(run).toEqual({
      code: 0,
      stdout: `Paused orders on Oncegate: no attempt is made (none is consumed) until it is resumed, and its event source mapping ${uuid} is Disabling, so its jobs wait in its queue, each kept 14 days from when it was enqueued (the queue's retention): resume before then with npx oncegate destinations resume orders.\n`,
      stderr: "",
    });
    expect(lambdaMock.commandCalls(UpdateEventSourceMappingCommand)[0]?.args[0].input).toEqual({
      UUID: uuid,
      Enabled: false,
    });
    expect((await control("orders")).pausedBy).toBe("arn:aws:iam::123456789012:user/alice");
    lambdaMock.on(UpdateEventSourceMappingCommand).resolves({ UUID: uuid, State: "Enabling" });
    lambdaMock.on(GetEventSourceMappingCommand).resolves({ UUID: uuid, State: "Disabled" });
    const resumed = await cli(["destinations", "resume", "orders", ...stackArgs]);
    expect(resumed.stdout).toBe(
      `Resumed orders on Oncegate: its jobs are attempted again, once Lambda has enabled its event source mapping ${uuid} (Enabling).\n`,
    );
  });

  test("on a stack deployed without the output, pauses the item and says the pollers keep receiving", async () => {
    cloudFormation.on(DescribeStacksCommand).resolves(outputs({}));
    const run = await cli(["destinations", "pause", "crm", ...stackArgs, "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ changed: true, state: "paused", pollers: { kind: "not_managed" } });
    expect(lambdaMock.calls()).toHaveLength(0);
    const human = await cli(["destinations", "resume", "crm", ...stackArgs]);
    expect(human.stdout).toBe("Resumed crm on Oncegate: its jobs are attempted again.\n");
    const again = await cli(["destinations", "pause", "crm", ...stackArgs]);
    expect(again.stdout).toMatch(
      /^Paused crm on Oncegate: no attempt is made \(none is consumed\) until it is resumed, but Oncegate names no event source mapping \(deployed before its DeliveryEventSources output\), so its pollers keep receiving its jobs and the delivery holds each 15 s, one receive a hold: after \d+ receives \(about \d+ min\) SQS moves a job to the dead-letter queue, so redeploy with npx cdk deploy before a long pause, or resume with npx oncegate destinations resume crm\.\n$/,
    );
    await cli(["destinations", "resume", "crm", ...stackArgs]);
  });
});
