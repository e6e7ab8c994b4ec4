import { execFileSync, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";

/**
 * `@oncegate/sdk` as a user gets it: `npm pack` in sdk/, the tarball installed into a new project with its peers, and
 * a consumer run there on Node 24 (this process's) and on Node 22 (the npm `node` package, installed apart so it does
 * not count in the footprint). Installs come from the npm cache when it has them (`--prefer-offline`).
 */

const ROOT = new URL("../../../", import.meta.url).pathname;
const SDK = join(ROOT, "sdk");
const rootPackage = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const NODE_22 = "22.23.3";
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

let work: string;
let tarball: string;
let packedFiles: string[];
let project: string;

function npm(args: string[], cwd: string): string {
  return execFileSync("npm", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
}

/** Bytes of the files in a `node_modules` folder, and its packages (a folder with a package.json, scoped or not). */
function footprint(nodeModules: string): { packages: number; bytes: number } {
  let packages = 0;
  let bytes = 0;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        bytes += statSync(path).size;
        if (entry.name === "package.json" && /node_modules\/(@[^/]+\/)?[^/@]+$/.test(dir)) packages += 1;
      }
    }
  };
  walk(nodeModules);
  return { packages, bytes };
}

// A consumer as the package README writes it, in plain ES modules: two deliveries of one key, one run.
const CONSUMER = `
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { idempotent } from "@oncegate/sdk";
import { ensureIdempotencyTable } from "@oncegate/sdk/table-setup";

const tableName = process.env.IDEMPOTENCY_TABLE;
await ensureIdempotencyTable(new DynamoDBClient({}), tableName);
let runs = 0;
const handler = idempotent(async ({ event, key }) => { runs += 1; return { charged: event.amount, key }; }, { tableName });
const delivery = {
  version: "2.0",
  headers: { "idempotency-key": process.env.KEY, "content-type": "application/json" },
  body: JSON.stringify({ amount: 42 }),
  requestContext: { http: { method: "POST" } },
};
const context = { getRemainingTimeInMillis: () => 30_000, functionName: "consumer" };
const first = await handler(delivery, context);
const second = await handler(delivery, context);
console.log(JSON.stringify({ node: process.version, runs, first: first.statusCode, second: second.statusCode, body: second.body }));
`;

// Without Middy (an optional peer): makeIdempotent runs; the Lambda wrapper says, at its first invocation, what to
// install.
const WITHOUT_MIDDY = `
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConfigurationError, idempotent, makeIdempotent } from "@oncegate/sdk";
import { ensureIdempotencyTable } from "@oncegate/sdk/table-setup";

const tableName = process.env.IDEMPOTENCY_TABLE;
await ensureIdempotencyTable(new DynamoDBClient({}), tableName);
let runs = 0;
const work = makeIdempotent(async ({ key }) => { runs += 1; return key; }, { tableName, key: () => process.env.KEY, logger: () => {} });
await work();
await work();
const handler = idempotent(async () => "never", { tableName });
const error = await handler({ detail: {}, id: "x", source: "s" }, { getRemainingTimeInMillis: () => 30_000 }).catch((e) => e);
console.log(JSON.stringify({ runs, wrapper: error instanceof ConfigurationError ? error.message : String(error) }));
`;
let withoutMiddy: { status: number | null; stdout: string; stderr: string };

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "oncegate-sdk-pack-"));
  const [packed] = JSON.parse(npm(["pack", "--json", "--pack-destination", work, "--loglevel=error"], SDK)) as {
    filename: string;
    files: { path: string }[];
  }[];
  tarball = join(work, packed?.filename ?? "");
  packedFiles = (packed?.files ?? []).map((file) => file.path).sort();

  project = join(work, "consumer");
  mkdirSync(project);
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  const peer = (name: string) => `${name}@${rootPackage.dependencies[name]}`;
  npm(["install", ...NPM_FLAGS, tarball, peer("@aws-sdk/client-dynamodb"), peer("@aws-sdk/util-dynamodb")], project);
  writeFileSync(join(project, "withoutMiddy.mjs"), WITHOUT_MIDDY);
  withoutMiddy = spawnSync(process.execPath, ["withoutMiddy.mjs"], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, IDEMPOTENCY_TABLE: `packed-${randomUUID().slice(0, 8)}`, KEY: `key-${randomUUID()}` },
    timeout: 60_000,
  });
  // The wrapper's and the middleware's runtime: what the README's Lambda consumer needs.
  npm(["install", ...NPM_FLAGS, peer("@middy/core")], project);
  writeFileSync(join(project, "consumer.mjs"), CONSUMER);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function runConsumer(node: string) {
  const result = spawnSync(node, ["consumer.mjs"], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, IDEMPOTENCY_TABLE: `packed-${randomUUID().slice(0, 8)}`, KEY: `key-${randomUUID()}` },
    timeout: 60_000,
  });
  expect(result.stderr).toBe("");
  // Before it, the SDK's own log line of each invocation (one JSON line each, on stdout as in Lambda).
  const lines = result.stdout.trim().split("\n");
  expect(lines.slice(0, -1).map((line) => JSON.parse(line).outcome)).toEqual(["executed", "replayed"]);
  return JSON.parse(lines.at(-1) ?? "") as {
    node: string;
    runs: number;
    first: number;
    second: number;
    body: string;
  };
}

describe("the packed @oncegate/sdk", () => {
  test("holds the compiled entry points with their types, README, LICENSE and CHANGELOG, and no source or test", () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        "CHANGELOG.md",
        "LICENSE",
        "README.md",
        "package.json",
        "dist/index.js",
        "dist/index.d.ts",
        "dist/tableSetup.js",
        "dist/tableSetup.d.ts",
      ]),
    );
    const unexpected = packedFiles.filter(
      (path) =>
        !/^dist\/[A-Za-z]+\.(js|d\.ts)$/.test(path) &&
        !["CHANGELOG.md", "LICENSE", "README.md", "package.json"].includes(path),
    );
    expect(unexpected).toEqual([]);
  });

  test("depends on nothing, takes the AWS SDK as caret peers and Middy, Express and Fastify as optional ones; its version is the repository's", () => {
    const manifest = JSON.parse(readFileSync(join(project, "node_modules/@oncegate/sdk/package.json"), "utf8"));
    expect(manifest.version).toBe(rootPackage.version);
    expect(manifest.dependencies).toBeUndefined();
    const { express, fastify, ...carets } = manifest.peerDependencies as Record<string, string>;
    expect(Object.keys(carets).sort()).toEqual(["@aws-sdk/client-dynamodb", "@aws-sdk/util-dynamodb", "@middy/core"]);
    for (const range of Object.values(carets)) expect(range).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect([express, fastify]).toEqual(["^4.17.0 || ^5.0.0", "^5.0.0"]);
    expect(manifest.peerDependenciesMeta).toEqual({
      "@middy/core": { optional: true },
      express: { optional: true },
      fastify: { optional: true },
    });
    // Optional: a consumer without Express or Fastify does not get them.
    expect(existsSync(join(project, "node_modules/express"))).toBe(false);
    expect(existsSync(join(project, "node_modules/fastify"))).toBe(false);
  });

  test("without Middy installed: makeIdempotent runs once per key; the Lambda wrapper's first invocation says to install it", () => {
    expect(withoutMiddy.stderr).toBe("");
    expect(withoutMiddy.status).toBe(0);
    expect(JSON.parse(withoutMiddy.stdout.trim())).toEqual({
      runs: 1,
      wrapper:
        "oncegate: invalid option `@middy/core`: idempotent() and idempotency() run on Middy, an optional peer dependency: npm install @middy/core (the server adapters and makeIdempotent do not need it)",
    });
  });

  test("runs a consumer installed from the tarball on Node 24: two deliveries of one key, one run, the same answer", () => {
    const run = runConsumer(process.execPath);
    expect(run.node).toMatch(/^v24\./);
    expect(run).toMatchObject({ runs: 1, first: 200, second: 200 });
    expect(JSON.parse(run.body)).toMatchObject({ ok: true, result: { charged: 42 } });
  });

  test("runs the same consumer on Node 22", () => {
    const node22 = join(work, "node22");
    mkdirSync(node22);
    writeFileSync(join(node22, "package.json"), JSON.stringify({ name: "node22", private: true }));
    npm(["install", ...NPM_FLAGS, `node@${NODE_22}`], node22);
    const run = runConsumer(join(node22, "node_modules/.bin/node"));
    expect(run.node).toBe(`v${NODE_22}`);
    expect(run).toMatchObject({ runs: 1, first: 200, second: 200 });
  }, 300_000);

  test("adds to a fresh project only itself and its peers: the footprint the README states", () => {
    const { packages, bytes } = footprint(join(project, "node_modules"));
    const megabytes = bytes / 1024 ** 2;
    // What sdk/README.md says installing it adds (the peers' own trees included); measured here.
    const readme = readFileSync(join(SDK, "README.md"), "utf8");
    const stated = /adds (\d+) packages \(([\d.]+) MB of files\)/.exec(readme);
    expect(stated).not.toBeNull();
    expect(packages).toBeGreaterThan(0);
    expect(Math.abs(packages - Number(stated?.[1]))).toBeLessThanOrEqual(Math.max(3, Number(stated?.[1]) * 0.1));
    expect(Math.abs(megabytes - Number(stated?.[2]))).toBeLessThanOrEqual(Number(stated?.[2]) * 0.15);
  });

  test("passes npm publish --dry-run", () => {
    const result = spawnSync("npm", ["publish", "--dry-run", "--loglevel=error"], {
      cwd: SDK,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(result.status).toBe(0);
  });
});
