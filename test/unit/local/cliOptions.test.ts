import { join } from "node:path";
import { describe, expect, test } from "@jest/globals";
import { chaosEventIds, parseChaosOptions } from "../../../local/chaosOptions.ts";
import { UsageError } from "../../../local/cliUsage.ts";
import { parseConsumerOptions } from "../../../local/consumerOptions.ts";
import { parseStartOptions, REPOSITORY_ROOT } from "../../../local/startOptions.ts";

describe("parseStartOptions", () => {
  test("defaults to port 4000 and .oncegate/ in the repository, persistent", () => {
    expect(parseStartOptions([], {})).toEqual({
      port: 4000,
      dataDir: join(REPOSITORY_ROOT, ".oncegate"),
      inMemory: false,
      help: false,
    });
  });

  test("takes the port from --port, else ONCEGATE_PORT, and a relative --data-dir from where npm was run", () => {
    expect(parseStartOptions([], { ONCEGATE_PORT: "4100" }).port).toBe(4100);
    expect(parseStartOptions(["--port", "4200"], { ONCEGATE_PORT: "4100" }).port).toBe(4200);
    expect(parseStartOptions(["--data-dir", "state", "--in-memory"], { INIT_CWD: "/home/me" })).toMatchObject({
      dataDir: "/home/me/state",
      inMemory: true,
    });
  });

  test.each([[["--port", "http"]], [["--port", "70000"]], [["--verbose"]], [["extra"]]])("rejects %j", (argv) => {
    expect(() => parseStartOptions(argv, {})).toThrow(UsageError);
  });
});

describe("parseChaosOptions", () => {
  test("defaults to 50 concurrent Stripe duplicates of one event, against the local port", () => {
    expect(parseChaosOptions(["evt_test_1"], { ONCEGATE_PORT: "4100" })).toEqual({
      eventId: "evt_test_1",
      count: 50,
      concurrency: 50,
      provider: "stripe",
      events: 1,
      baseUrl: "http://127.0.0.1:4100",
      timeoutSeconds: 60,
    });
  });

  test("names N distinct events after the given id", () => {
    const options = parseChaosOptions(["evt", "--events", "3", "--provider", "keygen", "--count", "2"], {});
    expect(options).toMatchObject({ provider: "keygen", count: 2, events: 3 });
    expect(chaosEventIds(options)).toEqual(["evt-1", "evt-2", "evt-3"]);
    expect(chaosEventIds({ eventId: "evt", events: 1 })).toEqual(["evt"]);
  });

  test.each([
    [[], "an event id is required"],
    [["evt", "--provider", "paypal"], "--provider must be one of stripe, github, shopify, standard, keygen"],
    [["evt", "--count", "0"], "--count must be a whole number ≥ 1"],
    [["evt", "--url", "not a url"], "--url must be an absolute URL"],
  ])("rejects %j", (argv, message) => {
    expect(() => parseChaosOptions(argv, {})).toThrow(message);
  });
});

describe("parseConsumerOptions", () => {
  test("listens on 4001 as the Lambda unless told, and takes the stack's DynamoDB Local endpoint", () => {
    expect(parseConsumerOptions(["--dynamodb", "http://127.0.0.1:40123"])).toEqual({
      port: 4001,
      dynamoDbEndpoint: "http://127.0.0.1:40123",
      framework: "lambda",
      dataDir: join(REPOSITORY_ROOT, ".oncegate"),
      help: false,
    });
    expect(parseConsumerOptions(["--dynamodb", "http://127.0.0.1:40123", "--port", "0"]).port).toBe(0);
    expect(parseConsumerOptions(["--help"]).help).toBe(true);
  });

  test("--framework express serves it on Express; --data-dir is taken from where the command was typed", () => {
    const argv = ["--dynamodb", "http://127.0.0.1:40123", "--framework", "express", "--data-dir", "state"];

    expect(parseConsumerOptions(argv, { INIT_CWD: "/home/me" })).toMatchObject({
      framework: "express",
      dataDir: "/home/me/state",
    });
  });

  test.each([
    [[], "--dynamodb must be the URL of the stack's DynamoDB Local"],
    [["--dynamodb", "40123"], "--dynamodb must be the URL of the stack's DynamoDB Local"],
    [["--dynamodb", "http://127.0.0.1:40123", "--port", "70000"], "--port"],
    [["--dynamodb", "http://127.0.0.1:40123", "--verbose"], "--verbose"],
    [
      ["--dynamodb", "http://127.0.0.1:40123", "--framework", "koa"],
      '--framework must be one of lambda, express, got "koa"',
    ],
  ])("rejects %j", (argv, message) => {
    expect(() => parseConsumerOptions(argv)).toThrow(UsageError);
    expect(() => parseConsumerOptions(argv)).toThrow(message);
  });
});
