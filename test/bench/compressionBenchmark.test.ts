import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "@jest/globals";
import { PAYLOAD_KINDS } from "../../bench/compression/payloadKinds.ts";
import { payloadOfSize } from "../../bench/compression/payloadSize.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const resultsDir = mkdtempSync(join(tmpdir(), "oncegate-bench-compression-"));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

describe("bench:compression", () => {
  test("measures every codec on every payload kind with tiny sizes and writes its results", async () => {
    const { NODE_OPTIONS: _, ...env } = process.env;
    const child = spawn(process.execPath, ["bench/compressionBenchmark.ts", "--quick", "--results-dir", resultsDir], {
      cwd: ROOT,
      env,
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.once("close", resolve));
    expect({ code, output: code === 0 ? "" : output }).toEqual({ code: 0, output: "" });
    const result = JSON.parse(readFileSync(join(resultsDir, "compression.json"), "utf8"));
    expect(result).toMatchObject({ benchmark: "compression", command: "npm run bench:compression" });
    expect(result.data.payloads).toHaveLength(PAYLOAD_KINDS.length * 2);
    for (const payload of result.data.payloads) {
      expect(Object.keys(payload.candidates)).toContain("gzip 6");
      expect(payload.chosen).toMatchObject({ encoding: "gzip", storedBytes: expect.any(Number) });
    }
    expect(output).toContain("### What encodeBody stores");
  });

  test("generates payloads of at least the size asked, as valid JSON, the same for the same seed", () => {
    for (const kind of PAYLOAD_KINDS) {
      for (const bytes of [1024, 8192, 65_536]) {
        const payload = payloadOfSize(kind, bytes);
        expect(payload.byteLength).toBeGreaterThanOrEqual(bytes);
        expect(() => JSON.parse(payload.toString("utf8"))).not.toThrow();
        expect(payloadOfSize(kind, bytes).equals(payload)).toBe(true);
      }
    }
  });
});
