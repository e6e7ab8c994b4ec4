import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, test } from "@jest/globals";

/**
 * `npm run reliability -- --quick` as CI runs it: every scenario against the real local stack (child processes,
 * DynamoDB Local, fauxqs), small sizes. The script decides pass or fail; this checks its exit code and that the JSON
 * it wrote says 0 lost and 0 duplicated for every scenario.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const resultsDir = mkdtempSync(join(tmpdir(), "oncegate-reliability-"));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

interface ScenarioRow {
  scenario: string;
  lost: number;
  duplicated: number;
  problems: string[];
}

/**
 * About 160 s on an idle 2-CPU machine (`--quick`, two lanes), 200–320 s beside the suite's other worker. The run is
 * stopped before Jest's own timeout, so that a stuck run fails with what it printed (which scenario it was in) and
 * leaves no process behind.
 */
const RUN_DEADLINE_MS = 600_000;

test(
  "npm run reliability -- --quick: every scenario ends with 0 lost and 0 duplicated",
  async () => {
    // The script starts its own stacks: none of the test harness's environment must leak into them.
    const { NODE_OPTIONS: _, AWS_ENDPOINT_URL_DYNAMODB: __, ...env } = process.env;
    // Its own process group, so that a stop reaches the stacks and emulators it started as well.
    const child = spawn(process.execPath, ["bench/reliability.ts", "--quick", "--results-dir", resultsDir], {
      cwd: ROOT,
      env,
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    let stopped = false;
    const deadline = setTimeout(() => {
      stopped = true;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, RUN_DEADLINE_MS);
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    clearTimeout(deadline);
    if (stopped) {
      const last = output.trimEnd().split("\n").slice(-30).join("\n");
      throw new Error(`stopped after ${RUN_DEADLINE_MS / 1000} s; the run's last lines:\n${last}`);
    }

    // The FAILED lines name the scenario and what it saw, so a failure here says which row broke and why.
    const failed = output.split("\n").filter((line) => line.startsWith("FAILED"));
    expect({ code, failed }).toEqual({ code: 0, failed: [] });
    const result = JSON.parse(readFileSync(join(resultsDir, "reliability.json"), "utf8"));
    const scenarios = result.data.scenarios as ScenarioRow[];
    expect(scenarios.length).toBeGreaterThanOrEqual(5);
    for (const row of scenarios)
      expect({ scenario: row.scenario, lost: row.lost, duplicated: row.duplicated, problems: row.problems }).toEqual({
        scenario: row.scenario,
        lost: 0,
        duplicated: 0,
        problems: [],
      });
  },
  RUN_DEADLINE_MS + 20_000,
);
