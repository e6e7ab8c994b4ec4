import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { DEMO_CONTEXT } from "../../infra/appSettings.ts";
import { BUNDLE_REPORT_CONTEXT, REPOSITORY_ROOT } from "../../infra/constructs/bundling.ts";

/**
 * The one test that bundles: it runs the real `cdk synth` (cdk.json's app, local esbuild, no Docker, no network)
 * once, with esbuild's metafile on, and checks every handler bundle it produced.
 *
 * Budgets, in KiB of minified `index.mjs`, measured 2026-11 and kept about 3% above: each bundle is the AWS SDK v3
 * clients it sends commands with (DynamoDB + SQS ≈ 350 KiB, + Secrets Manager ≈ 14 KiB, + S3 ≈ 145 KiB for the
 * intake and the delivery: the floor those clients allow once tree-shaken) plus 25 to 45 KiB of Oncegate code. A bundle over budget means a new dependency or a
 * new client: look at `test-results/bundle-sizes.json`, which lists each bundle's largest packages.
 */
const BUDGET_KIB: Record<string, number> = {
  // The S3 client (bodies over the 7 KB inline limit: the intake puts them, the delivery reads them) adds ~145 KiB:
  // @aws-sdk/client-s3, its S3 middleware and checksums.
  intake: 560, // measured 543.1 in 2026-12, with the S3 client
  delivery: 558, // measured 541.9 in 2026-12, with the S3 client
  sweeper: 392, // measured 388.7 in 2026-12, with a dead-letter pass over one queue per destination (no Secrets Manager client)
  demoConsumer: 395, // measured 381.6 (DynamoDB, Secrets Manager, Middy)
};

const FUNCTIONS: Record<string, string> = {
  intake: "Oncegate/Gateway/Intake/Function/Resource",
  delivery: "Oncegate/Gateway/Delivery/Function/Resource",
  sweeper: "Oncegate/Gateway/Sweeper/Function/Resource",
  demoConsumer: "Oncegate/DemoConsumer/Handler/Function/Resource",
};

interface Metafile {
  inputs: Record<string, unknown>;
  outputs: Record<
    string,
    {
      bytes: number;
      entryPoint?: string;
      imports: { path: string; external?: boolean }[];
      inputs: Record<string, { bytesInOutput: number }>;
    }
  >;
}

interface Bundle {
  directory: string;
  code: string;
  bytes: number;
  entryPoint: string;
  externalImports: string[];
  /** Bytes in the bundle per npm package, or per Oncegate folder (`lambdas/intake`, `sdk`…). */
  bytesBySource: Record<string, number>;
}

let outDir: string;
let synthSeconds: number;
const bundles: Record<string, Bundle> = {};

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), "oncegate-synth-"));
  const started = performance.now();
  // The CLI runs on this Node 24 (the test's own), and without Jest's VM-modules flag.
  const { NODE_OPTIONS: _jestFlags, ...env } = process.env;
  const synth = spawnSync(
    process.execPath,
    [
      join(REPOSITORY_ROOT, "node_modules/aws-cdk/bin/cdk"),
      "synth",
      "--quiet",
      "--context",
      `${BUNDLE_REPORT_CONTEXT}=true`,
      // The demo: the one configuration that deploys all four functions, the demo consumer included.
      "--context",
      `${DEMO_CONTEXT}=true`,
      "--output",
      outDir,
    ],
    { cwd: REPOSITORY_ROOT, env: { ...env, CDK_DISABLE_VERSION_CHECK: "1" }, encoding: "utf8", timeout: 240_000 },
  );
  synthSeconds = (performance.now() - started) / 1000;
  if (synth.status !== 0) throw new Error(`cdk synth failed (${synth.status}):\n${synth.stderr}\n${synth.stdout}`);
  const template = JSON.parse(readFileSync(join(outDir, "Oncegate.template.json"), "utf8"));
  for (const [name, path] of Object.entries(FUNCTIONS)) {
    const resource = Object.values(template.Resources as Record<string, { Metadata?: Record<string, string> }>).find(
      (candidate) => candidate.Metadata?.["aws:cdk:path"] === path,
    );
    const assetPath = resource?.Metadata?.["aws:asset:path"];
    if (assetPath === undefined) throw new Error(`no asset for ${path}`);
    bundles[name] = readBundle(join(outDir, assetPath));
  }
  writeReport();
}, 240_000);

afterAll(() => {
  if (outDir !== undefined) rmSync(outDir, { recursive: true, force: true });
});

function readBundle(directory: string): Bundle {
  const metafile: Metafile = JSON.parse(readFileSync(join(directory, "index.meta.json"), "utf8"));
  const output = Object.values(metafile.outputs).find((candidate) => candidate.entryPoint !== undefined);
  if (output?.entryPoint === undefined) throw new Error(`no entry point in ${directory}/index.meta.json`);
  const bytesBySource: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const source = sourceOf(input);
    bytesBySource[source] = (bytesBySource[source] ?? 0) + bytesInOutput;
  }
  return {
    directory,
    code: readFileSync(join(directory, "index.mjs"), "utf8"),
    bytes: output.bytes,
    entryPoint: output.entryPoint,
    externalImports: output.imports.filter((entry) => entry.external).map((entry) => entry.path),
    bytesBySource,
  };
}

function sourceOf(input: string): string {
  const inPackage = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  return input
    .split("/")
    .slice(0, input.startsWith("lambdas/") ? 2 : 1)
    .join("/");
}

// Recorded for people, not for the assertions: sizes, budgets, the largest sources, and the synth time.
function writeReport(): void {
  const report = Object.fromEntries(
    Object.entries(bundles).map(([name, bundle]) => [
      name,
      {
        kib: Math.round((bundle.bytes / 1024) * 10) / 10,
        budgetKib: BUDGET_KIB[name],
        largest: Object.entries(bundle.bytesBySource)
          .sort((a, b) => b[1] - a[1])
          .slice(0, 12)
          .map(([source, bytes]) => `${source} ${Math.round(bytes / 1024)} KiB`),
      },
    ]),
  );
  const folder = join(REPOSITORY_ROOT, "test-results");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "bundle-sizes.json"), `${JSON.stringify({ synthSeconds, bundles: report }, null, 2)}\n`);
}

const names = Object.keys(FUNCTIONS);

describe("cdk synth, with real bundling", () => {
  test("runs offline with the local esbuild, without Docker, in under two minutes", () => {
    expect(synthSeconds).toBeLessThan(120);
    expect(Object.keys(bundles).sort()).toEqual([...names].sort());
  });

  test.each(names)("keeps the %s bundle within its budget", (name) => {
    const bundle = bundles[name] as Bundle;
    expect({ name, kib: bundle.bytes / 1024 }).toEqual({ name, kib: expect.any(Number) });
    expect(bundle.bytes / 1024).toBeLessThanOrEqual(BUDGET_KIB[name] as number);
  });

  test.each(names)("bundles %s into one minified ES module and a source map without sources", (name) => {
    const bundle = bundles[name] as Bundle;
    expect(readdirSync(bundle.directory).sort()).toEqual(["index.meta.json", "index.mjs", "index.mjs.map"]);
    // Minified: a few dozen lines (license comments, template literals) of thousands of characters each.
    expect(bundle.bytes / bundle.code.split("\n").length).toBeGreaterThan(2_000);
    expect(bundle.code.trimEnd().endsWith("//# sourceMappingURL=index.mjs.map")).toBe(true);
    const map = JSON.parse(readFileSync(join(bundle.directory, "index.mjs.map"), "utf8"));
    expect(map.sourcesContent).toBeUndefined();
    expect(map.sources).toEqual(
      expect.arrayContaining([expect.stringContaining(bundle.entryPoint.split("/")[1] ?? "")]),
    );
  });

  test.each(names)("bundles the AWS SDK into %s: nothing is imported at run time but Node's built-ins", (name) => {
    const bundle = bundles[name] as Bundle;
    const builtins = new Set(builtinModules.flatMap((module) => [module, `node:${module}`]));
    expect(bundle.externalImports.filter((path) => !builtins.has(path))).toEqual([]);
    expect(Object.keys(bundle.bytesBySource)).toEqual(expect.arrayContaining(["@aws-sdk/client-dynamodb"]));
  });

  test.each(names)("needs no createRequire banner: the %s bundle has no CommonJS require shim", (name) => {
    // esbuild emits this shim when a bundled CommonJS module requires something it left external; in an ES module
    // it throws at run time. If it ever appears, add the createRequire banner to `handlerBundling`.
    expect((bundles[name] as Bundle).code).not.toContain("Dynamic require of");
  });

  test("puts only the clients each function uses into its bundle", () => {
    const has = (name: string, source: string) => source in (bundles[name] as Bundle).bytesBySource;
    expect(has("sweeper", "@aws-sdk/client-secrets-manager")).toBe(false);
    expect(has("intake", "@aws-sdk/client-secrets-manager")).toBe(true);
    expect(has("demoConsumer", "@aws-sdk/client-sqs")).toBe(false);
    expect(has("demoConsumer", "@middy/core")).toBe(true);
    for (const name of ["intake", "delivery", "sweeper"]) expect(has(name, "@middy/core")).toBe(false);
    for (const bundle of Object.values(bundles)) {
      expect(Object.keys(bundle.bytesBySource).filter((source) => /aws-cdk|constructs|esbuild/.test(source))).toEqual(
        [],
      );
    }
  });

  test.each(names)("loads the %s bundle in Node 24 and finds its handler", (name) => {
    const url = pathToFileURL(join((bundles[name] as Bundle).directory, "index.mjs")).href;
    const check = `const m = await import(${JSON.stringify(url)}); if (typeof m.handler !== "function") process.exit(3);`;
    const { NODE_OPTIONS: _jestFlags, ...env } = process.env;
    const run = spawnSync(process.execPath, ["--enable-source-maps", "--input-type=module", "--eval", check], {
      env,
      encoding: "utf8",
    });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: "" });
  });
});
