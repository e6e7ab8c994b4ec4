import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "@jest/globals";

/**
 * Each benchmark script, run as `npm run bench` runs it but with tiny sizes, so the scripts cannot rot: they exit
 * 0 (their own correctness invariants held) and write results of the expected shape. Nothing here is timed.
 */

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const resultsDir = mkdtempSync(join(tmpdir(), "oncegate-bench-smoke-"));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  output: string;
}

function runScript(script: string, ...args: string[]): Promise<Run> {
  return runScriptIn(resultsDir, script, ...args);
}

function runScriptIn(dir: string, script: string, ...args: string[]): Promise<Run> {
  // The scripts start their own services: none of the test harness's environment must leak into them.
  const { NODE_OPTIONS: _, AWS_ENDPOINT_URL_DYNAMODB: __, ...env } = process.env;
  const child = spawn(process.execPath, [script, "--quick", "--results-dir", dir, ...args], { cwd: ROOT, env });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, output })));
}

function result(name: string) {
  return JSON.parse(readFileSync(join(resultsDir, `${name}.json`), "utf8"));
}

const latency = { count: expect.any(Number), p50: expect.any(Number), p99: expect.any(Number) };
const envelope = (benchmark: string) => ({
  benchmark,
  generatedAt: expect.any(String),
  machine: { cpus: expect.any(Number), node: expect.any(String) },
  command: expect.stringContaining(`bench:${benchmark}`),
});

describe("benchmark scripts with tiny sizes", () => {
  test("bench:sdk compares ours, Powertools, the floor and each SDK adapter against its floor, and counts their DynamoDB requests", async () => {
    const run = await runScript("bench/sdkBenchmark.ts");
    expect({ code: run.code, output: run.code === 0 ? "" : run.output }).toEqual({ code: 0, output: "" });
    const sdk = result("sdk");
    expect(sdk).toMatchObject(envelope("sdk"));
    expect(sdk.data.scenarios.map((s: { scenario: string }) => s.scenario)).toEqual([
      "first-time key, sequential",
      "first-time key, concurrency 16",
      "duplicate (COMPLETED replay), sequential",
    ]);
    const adapters = ["ours", "makeIdempotent", "express", "fastify", "web"];
    const servers = ["express", "express-floor", "fastify", "fastify-floor", "web", "web-floor"];
    for (const scenario of sdk.data.scenarios) {
      for (const name of ["ours", "powertools", "floor", "makeIdempotent", ...servers]) {
        expect(scenario.contenders[name]).toMatchObject({ latency, requests: { total: expect.any(Number) } });
      }
      expect(scenario.adapters.map((a: { adapter: string }) => a.adapter)).toEqual(adapters);
      for (const compared of scenario.adapters) {
        expect(compared).toMatchObject({
          overFloorP50: expect.any(Number),
          overMiddyP50: expect.any(Number),
          sdkCostMsP50: expect.any(Number),
          httpHopMsP50: expect.any(Number),
        });
      }
      expect(Object.keys(scenario.ratios).sort()).toEqual([
        "oursOverFloorP50",
        "oursOverFloorP99",
        "oursOverPowertoolsP50",
        "oursOverPowertoolsP99",
      ]);
    }
    // Counted, not timed: exact on any machine, for every way to use the SDK.
    for (const name of adapters) {
      expect(
        sdk.data.scenarios.map(
          (s: { contenders: Record<string, { requests: unknown }> }) => s.contenders[name]?.requests,
        ),
      ).toEqual([
        { total: 2, byApi: { PutItem: 1, UpdateItem: 1 } },
        { total: 2, byApi: { PutItem: 1, UpdateItem: 1 } },
        { total: 1, byApi: { PutItem: 1 } },
      ]);
    }
  });

  test("bench:intake compares the intake with its floor and measures capacity and delivery attempts", async () => {
    const run = await runScript("bench/intakeBenchmark.ts");
    expect({ code: run.code, output: run.code === 0 ? "" : run.output }).toEqual({ code: 0, output: "" });
    const intake = result("intake");
    expect(intake).toMatchObject(envelope("intake"));
    expect(intake.data.scenarios).toHaveLength(3);
    for (const scenario of intake.data.scenarios) {
      expect(scenario.contenders.intake).toMatchObject({ latency });
      expect(scenario.contenders.floor).toMatchObject({ latency });
      expect(scenario.ratios).toEqual({
        intakeOverFloorP50: expect.any(Number),
        intakeOverFloorP99: expect.any(Number),
      });
    }
    expect(intake.data.capacity).toMatchObject({
      bodyBytes: 2048,
      intake: { itemBytes: expect.any(Number), perAccepted: { tableWriteUnits: expect.any(Number) } },
      floor: { itemBytes: intake.data.capacity.intake.itemBytes },
    });
    expect(intake.data.delivery).toMatchObject({
      retriedAttempt: { requests: { total: expect.any(Number) } },
      deliveredAttempt: { requests: { total: expect.any(Number) } },
      itemBytesAfter: expect.any(Number),
    });
  });

  test("bench:e2e storms the local stack and shows every event delivered exactly once", async () => {
    const run = await runScript("bench/e2eBenchmark.ts", "--events", "20", "--copies", "3", "--concurrency", "8");
    expect({ code: run.code, output: run.code === 0 ? "" : run.output }).toEqual({ code: 0, output: "" });
    const e2e = result("e2e");
    expect(e2e).toMatchObject(envelope("e2e"));
    expect(e2e.parameters).toMatchObject({ events: 20, copies: 3, concurrency: 8 });
    expect(e2e.data).toMatchObject({
      tally: { sent: 60, accepted: 20, duplicates: 40, errors: 0 },
      stormMs: expect.any(Number),
      acceptedPerSecond: expect.any(Number),
      intakeLatencyMs: { all: latency, accepted: latency, duplicate: latency },
      acceptToConsumerMs: { ...latency, count: 20 },
      attemptsPerEvent: expect.any(Number),
      stats: {
        handlerRuns: 20,
        charges: 20,
        receipts: 20,
        events: { received: 0, unrouted: 0, queued: 0, delivered: 20, failed: 0, dead: 0 },
        dlq: 0,
      },
    });
  });

  test("bench:bundle builds every bundle in every mode and imports each in a fresh process", async () => {
    const run = await runScript("bench/bundleBenchmark.ts");
    expect({ code: run.code, output: run.code === 0 ? "" : run.output }).toEqual({ code: 0, output: "" });
    const bundle = result("bundle");
    expect(bundle).toMatchObject(envelope("bundle"));
    // 7 bundles (intake, delivery, 3 Lambda consumers, 2 Express ones) in 3 modes.
    expect(bundle.data.bundles).toHaveLength(21);
    for (const measured of bundle.data.bundles) {
      expect(measured).toMatchObject({
        minifiedBytes: expect.any(Number),
        gzipBytes: expect.any(Number),
        coldImportMsP50: expect.any(Number),
        coldImportSamplesMs: [expect.any(Number), expect.any(Number)],
      });
    }
    // Ours and Powertools against the Lambda floor, ours against the Express floor, in 3 modes.
    expect(bundle.data.comparisons).toHaveLength(9);
    expect(
      bundle.data.comparisons
        .filter((c: { consumer: string }) => c.consumer === "express")
        .map((c: { addedByOrigin: Record<string, number> }) => Object.keys(c.addedByOrigin)),
    ).toEqual([expect.arrayContaining(["sdk/"]), expect.arrayContaining(["sdk/"]), ["sdk/"]]);
    expect(bundle.data.sdkOwnBytes).toBeGreaterThan(0);
  });

  test("bench:cost measures capacity at each body size and prices a million webhooks with the intake's timings", async () => {
    const run = await runScript("bench/costModel.ts");
    expect({ code: run.code, output: run.code === 0 ? "" : run.output }).toEqual({ code: 0, output: "" });
    const cost = result("cost");
    expect(cost).toMatchObject(envelope("cost"));
    expect(cost.data.inputs.source).toContain("intake.json");
    expect(cost.data.inputs.capacity.map((size: { bodyBytes: number }) => size.bodyBytes)).toEqual([
      1024, 2048, 8192, 65536, 1048576,
    ]);
    expect(cost.data.base.totalUsd).toBeGreaterThan(0);
    expect(cost.data.grid).toHaveLength(9);
    expect(cost.data.bodySizes).toHaveLength(5);
    // Counted, not timed: exact on any machine. A delivered 2 KB event: 5 write units, 2 read units.
    expect(cost.data.unitsPerEvent[1]).toMatchObject({
      bodyBytes: 2048,
      placement: "inline",
      writeUnits: 5,
      readUnits: 2,
    });
    // Above the 7 KB inline limit the body is an S3 object: only the state is in DynamoDB (1 KB write units).
    expect(cost.data.unitsPerEvent[3]).toMatchObject({
      bodyBytes: 65536,
      placement: "s3",
      writeUnits: 4,
      readUnits: 1,
    });
    expect(cost.data.unitsPerEvent[4]).toMatchObject({ bodyBytes: 1048576, placement: "s3", writeUnits: 4 });
    // The sweeper's walk over delivered events, per event: each state read once, eventually consistent (0.5 unit),
    // plus a share of the index pages; no write.
    const swept = cost.data.inputs.capacity[1].swept.capacity;
    expect(swept.readUnits).toBeGreaterThanOrEqual(0.5);
    expect(swept.tableWriteUnits + swept.indexWriteUnits).toBe(0);
    // S3 requests counted like the others: a PUT before the claim, two GETs per attempt (sign, then POST).
    const oneMb = cost.data.inputs.capacity[4];
    expect(oneMb.accepted.requests.byApi).toMatchObject({ PutObject: 1, PutItem: 1 });
    expect(oneMb.firstTry.requests.byApi).toMatchObject({ GetObject: 2, GetItem: 1 });
    // The targets table: five body sizes, then the write units, the largest body, the sustained rate.
    expect(cost.data.targets.bodies.map((b: { bodyBytes: number }) => b.bodyBytes)).toEqual([
      1024, 2048, 8192, 65536, 1048576,
    ]);
    expect(cost.data.targets.writeUnitsPer2KbEvent).toEqual({ now: 5, met: true });
    expect(cost.data.targets.largestBodyBytes.configuredMax).toBe(5_242_880);
    expect(cost.data.targets.sustained.atDefaultPeak.eventsPerSecond).toBe(1000);
    expect(cost.data.targets.sustained.atTenThousand.eventsPerSecond).toBe(10_000);
    expect(cost.data.fixedMonthly.lines.length).toBeGreaterThan(0);
    // Five sizes, the largest 1 MB (generated, gzipped, hashed, uploaded and read twice per event): over a minute on
    // a shared 2-core machine.
  }, 180_000);

  test("fails bench:cost when its model no longer reproduces the capacity that was measured", async () => {
    const tampered = mkdtempSync(join(tmpdir(), "oncegate-bench-tampered-"));
    try {
      const cost = result("cost");
      cost.data.inputs.capacity[1].accepted.capacity.tableWriteUnits += 1;
      writeFileSync(join(tampered, "cost.json"), JSON.stringify(cost));
      const run = await runScriptIn(tampered, "bench/costModel.ts", "--reprice");
      expect(run.code).toBe(1);
      expect(run.output).toContain("correctness invariant broken: accepted-event writes at 2048-byte bodies");
    } finally {
      rmSync(tampered, { recursive: true, force: true });
    }
  });
});
