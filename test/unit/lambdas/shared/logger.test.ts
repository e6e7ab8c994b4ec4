import { afterEach, describe, expect, jest, test } from "@jest/globals";
import { jsonLogger } from "../../../../lambdas/shared/logger.ts";

/**
 * With Lambda's JSON log format, the level of a record is the console method that wrote it, not a field of the
 * message: a line written with console.log is INFO whatever it says, so error lines must go through console.error.
 */
const methods = ["error", "warn", "info", "debug", "log"] as const;
afterEach(() => {
  jest.restoreAllMocks();
});

function capture() {
  const calls: Record<string, unknown[][]> = {};
  for (const method of methods) {
    calls[method] = [];
    jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      calls[method]?.push(args);
    });
  }
  return calls;
}

describe("jsonLogger", () => {
  test.each([
    ["error", "error"],
    ["warn", "warn"],
    ["info", "info"],
    ["debug", "debug"],
  ])("writes a %s line with console.%s, as one JSON string", (level, method) => {
    const calls = capture();
    const line = { level, msg: "oncegate.test", pk: "stripe#evt_1" };
    jsonLogger(line);
    expect(calls[method]).toEqual([[JSON.stringify(line)]]);
    for (const other of methods.filter((name) => name !== method)) expect(calls[other]).toEqual([]);
  });

  test("writes a line without a known level at INFO (console.info)", () => {
    const calls = capture();
    jsonLogger({ msg: "oncegate.test" });
    jsonLogger({ level: "fatal", msg: "oncegate.test" });
    expect(calls.info).toHaveLength(2);
    expect(calls.log).toEqual([]);
  });
});
