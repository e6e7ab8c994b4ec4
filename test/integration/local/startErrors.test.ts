import { existsSync } from "node:fs";
import { dirname } from "node:path";
import { afterEach, describe, expect, test } from "@jest/globals";
import { CRASH_POINTS } from "../../../local/crashPoints.ts";
import { newDataDir, removeDataDir, spawnStack } from "../../support/localStackProcess.ts";

const dataDirs: string[] = [];
afterEach(async () => {
  for (const dataDir of dataDirs.splice(0)) await removeDataDir(dataDir);
});

/** Runs `npm start` until it exits; it must fail before starting anything. */
async function failedStart(env: Record<string, string | undefined>) {
  const dataDir = newDataDir();
  dataDirs.push(dataDir);
  const stack = await spawnStack({ dataDir, env });
  const exit = await stack.exited;
  return { exit, stdout: stack.stdout(), stderr: stack.stderr(), dataDir };
}

describe("npm start refuses to start", () => {
  test("fails with one sentence, no stack trace, when Java is not installed", async () => {
    // Node stays reachable (it is run by absolute path); the PATH holds nothing else, so no `java`.
    const { exit, stderr } = await failedStart({ PATH: dirname(process.execPath) });

    expect(exit.code).toBe(1);
    expect(stderr).toMatch(
      /^oncegate: DynamoDB Local needs a Java runtime \(17 or newer\) and `java` was not found on PATH: .*\n$/,
    );
  });

  test("rejects an unknown crash point, listing the valid ones, before touching the data directory", async () => {
    const { exit, stderr, dataDir } = await failedStart({ ONCEGATE_CRASH_AT: "intake:before-everything" });

    expect(exit.code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      `oncegate: invalid configuration: ONCEGATE_CRASH_AT: unknown crash point "intake:before-everything"; valid points: ${CRASH_POINTS.join(", ")}`,
    ]);
    expect(existsSync(`${dataDir}/oncegate.pid`)).toBe(false);
  });

  test("rejects an invalid retry schedule, naming the variable", async () => {
    const { exit, stderr } = await failedStart({ ONCEGATE_RETRY_SCHEDULE: "1,soon" });

    expect(exit.code).toBe(1);
    expect(stderr).toContain(
      'oncegate: invalid configuration: ONCEGATE_RETRY_SCHEDULE: Invalid retry schedule: entry 2 is "soon"',
    );
  });

  test("rejects a demo consumer delay over 20 s, naming the variable, before touching the data directory", async () => {
    const { exit, stderr, dataDir } = await failedStart({ ONCEGATE_DEMO_CONSUMER_DELAY_MS: "30000" });

    expect(exit.code).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      'oncegate: invalid configuration: ONCEGATE_DEMO_CONSUMER_DELAY_MS: expected a whole number from 0 to 20000, got "30000"',
    ]);
    expect(existsSync(`${dataDir}/oncegate.pid`)).toBe(false);
  });
});
