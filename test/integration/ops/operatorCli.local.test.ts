import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { idempotencyKeyFor } from "../../../lambdas/shared/eventKey.ts";
import { DEMO_CONSUMER_SCOPE } from "../../../local/demoCharge.ts";
import { freePort } from "../../../local/freePort.ts";
import { destinationIdFor } from "../../../local/localConfig.ts";
import { fetchEvent, fetchStats } from "../../../local/stackClient.ts";
import { applyRelease, planRelease } from "../../../ops/keys/releaseKey.ts";
import { localTarget } from "../../../ops/target/localTarget.ts";
import { recordId } from "../../../sdk/idempotencyKey.ts";
import { removeDataDir, type StackProcess, startStack } from "../../support/localStackProcess.ts";
import { jsonOf, oncegate, sendStripeWebhook } from "../../support/operatorCli.ts";
import { type ScriptedConsumer, startScriptedConsumer } from "../../support/scriptedConsumer.ts";

/**
 * The operator CLI end to end, through its own entry point, against a real local stack: a second destination (a
 * scripted server) answers 503 to the `evt_dlq` events until it is "fixed", so their jobs die quickly (schedule 1,1).
 */
let stack: StackProcess;
let consumer: ScriptedConsumer;
let fixed = false;
/** Until set, the scripted destination refuses `evt_bad*` events with 400 (a consumer bug: FAILED at once). */
let badFixed = false;
let flaky: string;

beforeAll(async () => {
  consumer = await startScriptedConsumer();
  consumer.script((request, response) => {
    const eventId = request.headers["oncegate-event-id"] ?? "";
    const dying = eventId.startsWith("evt_dlq") && !fixed;
    const refused = eventId.startsWith("evt_bad") && !badFixed;
    response.writeHead(dying ? 503 : refused ? 400 : 200).end(refused ? '{"error":"amount_missing"}' : "");
  });
  flaky = destinationIdFor(consumer.url);
  stack = await startStack({
    env: {
      ONCEGATE_RETRY_SCHEDULE: "1,1",
      ONCEGATE_DESTINATION_TIMEOUT_MS: "2000",
      ONCEGATE_DESTINATIONS: `demo,${consumer.url}`,
      ONCEGATE_DEMO_CONSUMER_FAIL: "evt_fails_1",
    },
  });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
  if (stack) await removeDataDir(stack.dataDir);
  await consumer?.close();
});

const local = () => ["--local", stack.baseUrl];
const keyOf = (eventId: string) => idempotencyKeyFor("stripe", eventId);

async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const eventStatus = async (eventId: string) => (await fetchEvent(stack.baseUrl, "stripe", eventId))?.status;

/** `{ field: "string" | "number" | "boolean" | "object" | "array" }`: a documented --json shape, checked. */
function expectShape(value: unknown, shape: Record<string, string>, optional: Record<string, string> = {}) {
  expect(typeof value).toBe("object");
  const record = value as Record<string, unknown>;
  const typeOf = (field: unknown) => (Array.isArray(field) ? "array" : typeof field);
  for (const [name, type] of Object.entries(shape)) expect({ [name]: typeOf(record[name]) }).toEqual({ [name]: type });
  for (const [name, type] of Object.entries(optional)) {
    if (record[name] !== undefined) expect({ [name]: typeOf(record[name]) }).toEqual({ [name]: type });
  }
  const known = new Set([...Object.keys(shape), ...Object.keys(optional)]);
  expect(Object.keys(record).filter((name) => !known.has(name))).toEqual([]);
}

const KEY_VIEW = {
  table: "string",
  scope: "string",
  key: "string",
  recordId: "string",
  status: "string",
  audit: "array",
};
const KEY_VIEW_OPTIONAL = {
  startedAt: "string",
  completedAt: "string",
  failedAt: "string",
  releasedAt: "string",
  expiresAt: "string",
  ageSeconds: "number",
  lease: "object",
  error: "object",
  owner: "string",
  responseKind: "string",
};

describe("oncegate keys, on the local stack", () => {
  test("a handler that threw (onError: fail): keys release lets the next delivery run it exactly once more", async () => {
    expect(await sendStripeWebhook(stack.baseUrl, "evt_fails_1")).toBe(202);
    await waitFor(
      "the event fails",
      () => eventStatus("evt_fails_1"),
      (status) => status === "FAILED",
    );
    const key = keyOf("evt_fails_1");
    const shown = await oncegate(["keys", "show", key, ...local(), "--json"]);
    expect(shown.code).toBe(0);
    const failed = jsonOf<Record<string, unknown>>(shown);
    expectShape(failed, KEY_VIEW, KEY_VIEW_OPTIONAL);
    expect(failed).toMatchObject({
      status: "FAILED",
      scope: DEMO_CONSUMER_SCOPE,
      table: "demo-idempotency",
      error: { name: "DemoHandlerError" },
      audit: [],
    });
    expect(JSON.stringify(failed)).not.toMatch(/ownerToken/);
    const before = await fetchStats(stack.baseUrl);

    const released = await oncegate([
      "keys",
      "release",
      key,
      "--reason",
      "fixed the handler",
      "--yes",
      "--json",
      ...local(),
    ]);
    expect(released.code).toBe(0);
    const result = jsonOf<{ outcome: string; record: Record<string, unknown> }>(released);
    expect(Object.keys(result).sort()).toEqual(["outcome", "record"]);
    expectShape(result.record, KEY_VIEW, KEY_VIEW_OPTIONAL);
    expect(result).toMatchObject({
      outcome: "released",
      record: {
        status: "RELEASED",
        audit: [
          {
            action: "release",
            by: "local-operator",
            reason: "fixed the handler",
            previousStatus: "FAILED",
            forced: false,
          },
        ],
      },
    });
    expect(result.record.owner).toBeUndefined();

    // The next delivery (an operator's replay) runs the handler; a replay after that gets its stored answer.
    for (let replay = 1; replay <= 2; replay++) {
      const attempts = (await fetchEvent(stack.baseUrl, "stripe", "evt_fails_1"))?.destinations.demo?.attempts ?? 0;
      const replayed = await oncegate([
        "events",
        "replay",
        "stripe",
        "evt_fails_1",
        "--destination",
        "demo",
        "--yes",
        ...local(),
      ]);
      expect(replayed.code).toBe(0);
      await waitFor(
        "the replay delivered",
        () => fetchEvent(stack.baseUrl, "stripe", "evt_fails_1"),
        (view) => view?.destinations.demo?.status === "DELIVERED" && view.destinations.demo.attempts === attempts + 1,
      );
    }
    const after = await fetchStats(stack.baseUrl);
    expect(after.handlerRuns - before.handlerRuns).toBe(1);
    expect(after.charges - before.charges).toBe(1);

    const completed = jsonOf<Record<string, unknown>>(await oncegate(["keys", "show", key, "--json", ...local()]));
    // The audit survives the claim that replaced the record.
    expect(completed).toMatchObject({
      status: "COMPLETED",
      audit: [{ previousStatus: "FAILED", by: "local-operator" }],
    });
    const human = await oncegate(["keys", "show", key, ...local()]);
    expect(human.stdout).toMatch(/^status +COMPLETED$/m);
    expect(human.stdout).toMatch(/local-operator +FAILED +no +fixed the handler/);
  });

  test("refuses a COMPLETED key without --force, and a young or leased IN_PROGRESS one, writing nothing", async () => {
    expect(await sendStripeWebhook(stack.baseUrl, "evt_ok_1")).toBe(202);
    await waitFor(
      "delivered",
      () => eventStatus("evt_ok_1"),
      (status) => status === "DELIVERED",
    );
    const completed = await oncegate([
      "keys",
      "release",
      keyOf("evt_ok_1"),
      "--reason",
      "why not",
      "--yes",
      ...local(),
    ]);
    expect(completed.code).toBe(1);
    expect(completed.stderr).toMatch(
      /^oncegate: Key whk_\S+ in scope demo-consumer is COMPLETED .*: pass --force to let it run again anyway\.\n$/,
    );
    expect(jsonOf(await oncegate(["keys", "show", keyOf("evt_ok_1"), "--json", ...local()]))).toMatchObject({
      status: "COMPLETED",
      audit: [],
    });

    const target = await localTarget(stack.baseUrl);
    const seed = async (key: string, fields: Record<string, unknown>) =>
      target.ddb.send(
        new PutItemCommand({
          TableName: "demo-idempotency",
          Item: marshall({
            id: recordId(DEMO_CONSUMER_SCOPE, key),
            status: "IN_PROGRESS",
            ownerToken: "another-invocation",
            fingerprint: "f",
            startedAtMs: Date.now(),
            expiresAt: Math.floor(Date.now() / 1000) + 3600,
            ...fields,
          }),
        }),
      );
    try {
      await seed("young-key", {});
      const young = await oncegate(["keys", "release", "young-key", "--reason", "stuck", "--yes", ...local()]);
      expect(young.code).toBe(1);
      expect(young.stderr).toMatch(/was claimed \d+ s ago, under --min-age 900 s, so its handler may still be running/);
      await seed("leased-key", { startedAtMs: Date.now() - 3_600_000, leaseExpiresAtMs: Date.now() + 3_600_000 });
      const leased = await oncegate(["keys", "release", "leased-key", "--reason", "stuck", "--yes", ...local()]);
      expect(leased.code).toBe(1);
      expect(leased.stderr).toMatch(/IN_PROGRESS within its lease/);
      for (const key of ["young-key", "leased-key"]) {
        expect(jsonOf(await oncegate(["keys", "show", key, "--json", ...local()]))).toMatchObject({
          status: "IN_PROGRESS",
          audit: [],
        });
      }

      // No terminal to ask on, and no --yes: refused before anything is read or written.
      const unasked = await oncegate(["keys", "release", "young-key", "--reason", "stuck", "--force", ...local()]);
      expect(unasked).toMatchObject({
        code: 2,
        stdout: "",
        stderr: "oncegate: There is no terminal to confirm on: pass --yes to release the key.\n",
      });

      const forced = await oncegate([
        "keys",
        "release",
        "young-key",
        "--reason",
        "stuck",
        "--force",
        "--yes",
        "--json",
        ...local(),
      ]);
      expect(forced.code).toBe(0);
      expect(jsonOf(forced)).toMatchObject({
        record: { status: "RELEASED", audit: [{ forced: true, previousStatus: "IN_PROGRESS" }] },
      });

      // Changed while the operator looked: a claim lands between the read and the write.
      await seed("raced-key", { startedAtMs: Date.now() - 3_600_000 });
      const ref = { table: "demo-idempotency", scope: DEMO_CONSUMER_SCOPE, key: "raced-key" };
      const plan = await planRelease(target.ddb, ref, "stuck", { force: false, minAgeMs: 0, nowMs: Date.now() });
      await seed("raced-key", { ownerToken: "a-new-claim" });
      await expect(
        applyRelease(target.ddb, plan, { reason: "stuck", by: "local-operator", nowMs: Date.now() }),
      ).rejects.toMatchObject({
        code: "key_changed",
        message:
          "The key changed while you looked (claimed, completed or released meanwhile), nothing was written: run keys show again.",
      });
      expect(jsonOf(await oncegate(["keys", "show", "raced-key", "--json", ...local()]))).toMatchObject({
        status: "IN_PROGRESS",
        audit: [],
      });
    } finally {
      target.close();
    }
  });

  test("answers bad input with its exit code and one sentence, writing nothing", async () => {
    const before = await fetchStats(stack.baseUrl);
    const malformed = await oncegate(["keys", "show", "x".repeat(256), ...local()]);
    expect(malformed).toMatchObject({ code: 2, stdout: "" });
    expect(malformed.stderr).toMatch(
      /^oncegate: The key is not one the SDK accepts \(.*longer than 255 characters\): pass the Idempotency-Key exactly as delivered, e\.g\. whk_…\.\n$/,
    );

    const unknown = await oncegate(["keys", "show", "whk_never_claimed", "--json", ...local()]);
    expect(unknown.code).toBe(3);
    expect(jsonOf(unknown)).toEqual({
      error: { code: "no_such_key", message: expect.stringMatching(/^There is no record of key whk_never_claimed/) },
    });
    expect(unknown.stderr.split("\n").filter(Boolean)).toHaveLength(1);

    const unreachable = await oncegate(["dlq", "list", "--local", `http://127.0.0.1:${await freePort()}`]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      /^oncegate: Nothing answers at http:\/\/127\.0\.0\.1:\d+: start the local stack with npm start, or pass --local <url> or --stack <name>\.\n$/,
    );

    const noCredentials = await oncegate(["dlq", "redrive", "--stack", "Oncegate", "--region", "eu-west-1", "--yes"], {
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_EC2_METADATA_DISABLED: "true",
    });
    expect(noCredentials.code).toBe(1);
    expect(noCredentials.stderr).toBe(
      "oncegate: No AWS credentials were found: pass --profile <name>, set AWS_PROFILE, or sign in (aws configure, aws sso login).\n",
    );

    const usage = await oncegate(["dlq", "redrive", "--bogus"]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^oncegate: unknown option '--bogus'.*\(see --help\)\.\n$/);
    const both = await oncegate(["dlq", "list", "--local", "--stack", "Oncegate"]);
    expect(both).toMatchObject({
      code: 2,
      stderr: "oncegate: --local and --stack name two targets: pass one of them.\n",
    });

    expect(await fetchStats(stack.baseUrl)).toEqual(before);
  });
});

const SUMMARY_SHAPE = {
  provider: "string",
  eventId: "string",
  idempotencyKey: "string",
  status: "string",
  receivedAt: "string",
  destinations: "object",
};
const DETAIL_SHAPE = {
  ...SUMMARY_SHAPE,
  expiresAt: "string",
  headers: "object",
  bodyStorage: "string",
  attempts: "array",
};
const DETAIL_OPTIONAL = {
  eventType: "string",
  queuedAt: "string",
  contentType: "string",
  droppedHeaders: "array",
  bodyBytes: "number",
  payload: "object",
};
const ATTEMPT_SHAPE = {
  destination: "string",
  attempt: "number",
  trigger: "string",
  at: "string",
  latencyMs: "number",
  response: "string",
};
const ATTEMPT_OPTIONAL = { statusCode: "number", error: "string" };

describe("oncegate events, on the local stack", () => {
  test("a destination answered 400: listed FAILED, shown with its attempt, replayed once fixed with the same key", async () => {
    expect(await sendStripeWebhook(stack.baseUrl, "evt_bad_1")).toBe(202);
    await waitFor(
      "the event fails",
      () => eventStatus("evt_bad_1"),
      (status) => status === "FAILED",
    );
    const listed = await oncegate([
      "events",
      "list",
      "--status",
      "FAILED",
      "--destination",
      flaky,
      "--json",
      ...local(),
    ]);
    expect(listed.code).toBe(0);
    const summaries = jsonOf<Record<string, unknown>[]>(listed);
    const row = summaries.find((summary) => summary.eventId === "evt_bad_1");
    expectShape(row, SUMMARY_SHAPE, { eventType: "string" });
    expect(row).toMatchObject({
      provider: "stripe",
      idempotencyKey: keyOf("evt_bad_1"),
      status: "FAILED",
      destinations: { [flaky]: { status: "FAILED", attempts: 1, reason: "http_400", lastStatusCode: 400 } },
    });
    const human = await oncegate(["events", "list", "--provider", "stripe", ...local()]);
    expect(human.stdout).toMatch(
      /^received +provider +event id +type +idempotency key +status +destinations \(attempts\)$/m,
    );
    expect(human.stdout).toMatch(new RegExp(`stripe +evt_bad_1 +charge\\.succeeded +${keyOf("evt_bad_1")} +FAILED`));

    // By provider and id, or by the Idempotency-Key alone: the same document.
    const shown = jsonOf<Record<string, unknown>>(
      await oncegate(["events", "show", "stripe", "evt_bad_1", "--json", ...local()]),
    );
    expectShape(shown, DETAIL_SHAPE, DETAIL_OPTIONAL);
    // The kept headers: the allow-list's, never the signature the request carried.
    expect(shown.headers).toMatchObject({ "content-type": expect.stringContaining("application/json") });
    expect(Object.keys(shown.headers as object).filter((name) => /signature/i.test(name))).toEqual([]);
    const attempts = shown.attempts as Record<string, unknown>[];
    for (const attempt of attempts) expectShape(attempt, ATTEMPT_SHAPE, ATTEMPT_OPTIONAL);
    expect(attempts.find((attempt) => attempt.destination === flaky)).toMatchObject({
      attempt: 1,
      trigger: "initial",
      statusCode: 400,
      response: '{"error":"amount_missing"}',
    });
    expect(shown.payload).toBeUndefined();
    const byKey = jsonOf(await oncegate(["events", "show", keyOf("evt_bad_1"), "--json", ...local()]));
    expect(byKey).toEqual(shown);
    const withPayload = jsonOf<{ payload: { encoding: string; data: string } }>(
      await oncegate(["events", "show", "stripe", "evt_bad_1", "--payload", "--json", ...local()]),
    );
    expect(withPayload.payload.encoding).toBe("utf8");
    expect(JSON.parse(withPayload.payload.data)).toMatchObject({ id: "evt_bad_1" });

    badFixed = true;
    const posts = consumer.requests.length;
    const replayed = await oncegate([
      "events",
      "replay",
      "stripe",
      "evt_bad_1",
      "--destination",
      flaky,
      "--yes",
      "--json",
      ...local(),
    ]);
    expect(replayed.code).toBe(0);
    expect(jsonOf(replayed)).toEqual({
      provider: "stripe",
      eventId: "evt_bad_1",
      idempotencyKey: keyOf("evt_bad_1"),
      destinations: [{ destination: flaky, outcome: "replayed", previous: "FAILED" }],
    });
    await waitFor(
      "the replay delivered",
      () => eventStatus("evt_bad_1"),
      (status) => status === "DELIVERED",
    );
    const first = consumer.requests.find((request) => request.headers["oncegate-event-id"] === "evt_bad_1");
    const again = consumer.requests
      .slice(posts)
      .filter((request) => request.headers["oncegate-event-id"] === "evt_bad_1");
    expect(again).toHaveLength(1);
    expect(again[0]?.headers).toMatchObject({
      "idempotency-key": first?.headers["idempotency-key"],
      "webhook-id": first?.headers["webhook-id"],
      "oncegate-attempt": "2",
      "oncegate-attempt-trigger": "replay",
    });
    const after = jsonOf<{ attempts: Record<string, unknown>[] }>(
      await oncegate(["events", "show", "stripe", "evt_bad_1", "--json", ...local()]),
    );
    expect(
      after.attempts
        .filter((attempt) => attempt.destination === flaky)
        .map(({ attempt, trigger, statusCode }) => ({ attempt, trigger, statusCode })),
    ).toEqual([
      { attempt: 1, trigger: "initial", statusCode: 400 },
      { attempt: 2, trigger: "replay", statusCode: 200 },
    ]);
    const text = await oncegate(["events", "show", "stripe", "evt_bad_1", ...local()]);
    expect(text.stdout).toMatch(new RegExp(`${flaky} +2 +replay +200`));
  });

  test("events recover: the dry run counts what the real run then replays, at a bounded rate, and a rerun resumes", async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    badFixed = false;
    const ids = ["evt_bad_r1", "evt_bad_r2", "evt_bad_r3"];
    for (const id of ids) expect(await sendStripeWebhook(stack.baseUrl, id)).toBe(202);
    await waitFor(
      "all fail",
      () => Promise.all(ids.map(eventStatus)),
      (all) => all.every((status) => status === "FAILED"),
    );
    const selection = ["--status", "FAILED", "--destination", flaky, "--since", since, ...local()];
    const dry = await oncegate(["events", "recover", ...selection, "--dry-run", "--json"]);
    expect(dry.code).toBe(0);
    expect(jsonOf(dry)).toEqual({ count: 3 });
    const unasked = await oncegate(["events", "recover", ...selection]);
    expect(unasked).toMatchObject({
      code: 2,
      stderr: "oncegate: There is no terminal to confirm on: pass --yes to recover.\n",
    });
    expect(await Promise.all(ids.map(eventStatus))).toEqual(["FAILED", "FAILED", "FAILED"]);

    badFixed = true;
    const startedMs = Date.now();
    const run = await oncegate(["events", "recover", ...selection, "--rate", "2/s", "--yes", "--json"]);
    expect(run.code).toBe(0);
    const summary = jsonOf<Record<string, unknown>>(run);
    expectShape(summary, {
      runId: "string",
      matched: "number",
      replayed: "number",
      skipped: "number",
      pending: "number",
      failed: "number",
      errors: "array",
    });
    expect(summary).toMatchObject({ matched: 3, replayed: 3, skipped: 0, failed: 0 });
    // 3 replays at 2 a second: the last one at least a second after the first.
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(1000);
    await waitFor(
      "all delivered",
      () => Promise.all(ids.map(eventStatus)),
      (all) => all.every((status) => status === "DELIVERED"),
    );
    const again = await oncegate([
      "events",
      "recover",
      ...selection,
      "--resume",
      String(summary.runId),
      "--yes",
      "--json",
    ]);
    expect(jsonOf(again)).toMatchObject({ replayed: 0 });
    const stats = jsonOf<Record<string, unknown>>(await oncegate(["stats", "--since", since, "--json", ...local()]));
    expectShape(stats, {
      since: "string",
      until: "string",
      events: "number",
      truncated: "boolean",
      byStatus: "object",
      byDestination: "object",
    });
    expect(stats).toMatchObject({
      events: 3,
      byStatus: { DELIVERED: 3 },
      byDestination: { [flaky]: { DELIVERED: 3 } },
    });
  });

  test("answers bad input with its exit code and one sentence, writing nothing", async () => {
    const before = await fetchStats(stack.baseUrl);
    const cases: [string[], number, RegExp][] = [
      [["events", "show", "nope"], 2, /^oncegate: "nope" is neither <provider> <eventId> nor an Idempotency-Key/],
      [["events", "show", "stripe", "evt_never"], 3, /^oncegate: There is no event stripe\/evt_never \(never accepted/],
      [["events", "show", `whk_${"A".repeat(43)}`], 3, /^oncegate: No event received since .* has the Idempotency-Key/],
      [["events", "replay", "stripe", "evt_never", "--yes"], 3, /^oncegate: There is no event stripe\/evt_never/],
      [
        ["events", "replay", "stripe", "evt_bad_1"],
        2,
        /^oncegate: There is no terminal to confirm on: pass --yes to replay\.\n$/,
      ],
      [
        ["events", "replay", "stripe", "evt_bad_1", "--destination", "nowhere", "--yes"],
        3,
        /^oncegate: nowhere is not a destination of http:\/\/127\.0\.0\.1:\d+ \(configured: demo, dest-[0-9a-f]{8}\); stripe\/evt_bad_1 was sent to demo, dest-[0-9a-f]{8}\.\n$/,
      ],
      [
        ["events", "list", "--type", "inv*"],
        2,
        /^oncegate: option '--type <pattern>' argument 'inv\*' is invalid\. "inv\*": a wildcard is a whole segment/,
      ],
      [
        ["events", "recover", "--status", "UNROUTED", "--yes"],
        2,
        /^oncegate: An UNROUTED event has no destination to replay: name the one to send them to with --destination\.\n$/,
      ],
      [["events", "list", "--since", "yesterday"], 2, /^oncegate: --since "yesterday" is not a time/],
      [["events", "list", "--status", "LOST"], 2, /^oncegate: option '--status <status>' argument 'LOST' is invalid/],
      [["events", "recover", "--dry-run"], 2, /^oncegate: required option '--status <status>' not specified/],
      [
        ["events", "recover", "--status", "FAILED", "--rate", "0", "--dry-run"],
        2,
        /^oncegate: option '--rate <n\/s>' argument '0' is invalid/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const result = await oncegate([...args, ...local()]);
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr.split("\n").filter(Boolean)).toHaveLength(1);
      expect({ args, stderr: result.stderr }).toEqual({ args, stderr: expect.stringMatching(message) });
    }
    const json = await oncegate(["events", "show", "stripe", "evt_never", "--json", ...local()]);
    expect(jsonOf(json)).toEqual({ error: { code: "no_such_event", message: expect.any(String) } });
    expect(await fetchStats(stack.baseUrl)).toEqual(before);
  });
});

describe("oncegate dlq, on the local stack", () => {
  test("redrives dead jobs: dry run counts them, the redrive delivers them all, no event reads DEAD meanwhile", async () => {
    for (const id of ["evt_dlq_1", "evt_dlq_2"]) expect(await sendStripeWebhook(stack.baseUrl, id)).toBe(202);
    await waitFor(
      "both dead",
      () => Promise.all(["evt_dlq_1", "evt_dlq_2"].map(eventStatus)),
      (all) => all.every((s) => s === "DEAD"),
    );
    await waitFor(
      "both in the DLQ",
      () => fetchStats(stack.baseUrl),
      (stats) => stats.dlq >= 2,
      60_000,
    );

    // events show looks for a DEAD destination's job in the dead-letter queue (and gives it back).
    const shown = jsonOf<Record<string, unknown>>(
      await oncegate(["events", "show", "stripe", "evt_dlq_1", "--json", ...local()]),
    );
    expectShape(shown, DETAIL_SHAPE, { ...DETAIL_OPTIONAL, deadLetterQueue: "object" });
    expect(shown.deadLetterQueue).toEqual({
      checked: "all",
      jobs: [{ destination: flaky, messageId: expect.any(String), receiveCount: expect.any(Number) }],
    });
    const skipped = jsonOf<Record<string, unknown>>(
      await oncegate(["events", "show", "stripe", "evt_dlq_1", "--no-dlq", "--json", ...local()]),
    );
    expect(skipped.deadLetterQueue).toBeUndefined();
    const text = await oncegate(["events", "show", "stripe", "evt_dlq_1", ...local()]);
    expect(text.stdout).toMatch(
      new RegExp(`In the dead-letter queue: ${flaky} \\(message [0-9a-f-]+, \\d+ receives\\)\\.`),
    );
    const listed = await oncegate(["dlq", "list", "--destination", flaky, "--json", ...local()]);
    expect(listed.code).toBe(0);
    const letters = jsonOf<Record<string, unknown>[]>(listed);
    expect(letters.map((letter) => letter.eventId).sort()).toEqual(["evt_dlq_1", "evt_dlq_2"]);
    for (const letter of letters) {
      expectShape(
        letter,
        {
          messageId: "string",
          pk: "string",
          provider: "string",
          eventId: "string",
          idempotencyKey: "string",
          destination: "string",
          receiveCount: "number",
        },
        { sentAt: "string", ageSeconds: "number" },
      );
    }
    const human = await oncegate(["dlq", "list", ...local()]);
    expect(human.stdout).toMatch(/^age +event +destination +receives +idempotency key +message$/m);
    expect(human.stdout).toContain(`stripe/evt_dlq_1  ${flaky}`);

    const dry = await oncegate(["dlq", "redrive", "--destination", flaky, "--dry-run", "--json", ...local()]);
    expect(dry.code).toBe(0);
    expect(jsonOf(dry)).toEqual({ count: 2 });
    const one = await oncegate(["dlq", "redrive", "--event", "stripe/evt_dlq_1", "--dry-run", "--json", ...local()]);
    expect(jsonOf(one)).toEqual({ count: 1 });
    // Hand-picked messages, by the ids dlq list prints: only those (an id of no message matches nothing).
    const ids = letters.map((letter) => String(letter.messageId));
    for (const [picked, count] of [
      [[ids[0] ?? ""], 1],
      [[...ids, "no-such-message"], 2],
      [["no-such-message"], 0],
    ] as const) {
      const byId = await oncegate(["dlq", "redrive", "--message", ...picked, "--dry-run", "--json", ...local()]);
      expect({ picked, counted: jsonOf(byId) }).toEqual({ picked, counted: { count } });
    }
    const none = await oncegate(["dlq", "redrive", "--key", keyOf("evt_ok_1"), "--yes", ...local()]);
    expect(none.code).toBe(3);
    expect(none.stderr).toBe(
      "oncegate: No job in the dead-letter queue matches the selection: run dlq list to see what is there.\n",
    );
    const unasked = await oncegate(["dlq", "redrive", ...local()]);
    expect(unasked).toMatchObject({
      code: 2,
      stderr: "oncegate: There is no terminal to confirm on: pass --yes to redrive.\n",
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await fetchStats(stack.baseUrl)).dlq).toBe(2);
    expect(await Promise.all(["evt_dlq_1", "evt_dlq_2"].map(eventStatus))).toEqual(["DEAD", "DEAD"]);

    fixed = true;
    const seen: Record<string, string[]> = { evt_dlq_1: [], evt_dlq_2: [] };
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const id of Object.keys(seen)) seen[id]?.push((await eventStatus(id)) ?? "missing");
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const redrive = await oncegate(["dlq", "redrive", "--yes", "--json", ...local()]);
    expect(redrive.code).toBe(0);
    const summary = jsonOf<Record<string, unknown>>(redrive);
    expectShape(
      summary,
      {
        mode: "string",
        matched: "number",
        sent: "number",
        markedRedriven: "number",
        alreadyPending: "number",
        dropped: "number",
        unreadable: "number",
        failed: "number",
        errors: "array",
      },
      { taskHandle: "string" },
    );
    expect(summary).toMatchObject({ mode: "messages", matched: 2, sent: 2, markedRedriven: 2, failed: 0 });
    await waitFor(
      "both delivered",
      () => Promise.all(["evt_dlq_1", "evt_dlq_2"].map(eventStatus)),
      (all) => all.every((status) => status === "DELIVERED"),
    );
    watching = false;
    await watcher;
    expect((await fetchStats(stack.baseUrl)).dlq).toBe(0);
    expect(jsonOf(await oncegate(["dlq", "list", "--json", ...local()]))).toEqual([]);
    for (const statuses of Object.values(seen)) {
      // DEAD until the redrive marked it, then never again.
      const firstAlive = statuses.findIndex((status) => status !== "DEAD");
      expect(firstAlive).toBeGreaterThanOrEqual(0);
      expect(statuses.slice(firstAlive)).not.toContain("DEAD");
    }
  });
});
