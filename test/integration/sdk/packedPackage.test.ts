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
import {
  type AdapterSnippet,
  adapterSnippets,
  ensureExampleTables,
  loggedOutcomes,
  postThrice,
  runnableSnippet,
  runSnippet,
  THRICE_ANSWERS,
} from "../../support/adapterSnippets.ts";
import { createTable, deleteTable, getItem, localClient } from "../../support/dynamoDbTables.ts";

/**
 * `@oncegate/sdk` as a user gets it: `npm pack` in sdk/, the tarball installed into a new project with its peers, and
 * a consumer run there on Node 24 (this process's) and on Node 22 (the npm `node` package, installed apart so it does
 * not count in the footprint). Then the docs' own examples of the Express, Fastify, Web-standard (Hono) adapters and
 * `makeIdempotent`, as both pages print them, type-checked and run from a second project that installs the tarball
 * beside those frameworks (and one with Express 4). Installs come from the npm cache when it has them
 * (`--prefer-offline`).
 */

const ROOT = new URL("../../../", import.meta.url).pathname;
const SDK = join(ROOT, "sdk");
const rootPackage = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const NODE_22 = "22.23.3";
const peer = (name: string) => `${name}@${rootPackage.dependencies[name]}`;
const NPM_FLAGS = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

let work: string;
let tarball: string;
let packedFiles: string[];
let project: string;

const devVersion = (name: string) => `${name}@${rootPackage.devDependencies[name]}`;

/** Node 22 from the npm `node` package, installed once, apart from the consumer projects. */
let node22Binary: string | undefined;
function node22(): string {
  if (!node22Binary) {
    const dir = join(work, "node22");
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "node22", private: true }));
    npm(["install", ...NPM_FLAGS, `node@${NODE_22}`], dir);
    node22Binary = join(dir, "node_modules/.bin/node");
  }
  return node22Binary;
}

/** A new ES module project with the tarball, its AWS peers and `packages` installed, as a user's is. */
function userProject(name: string, packages: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }));
  const peers = [peer("@aws-sdk/client-dynamodb"), peer("@aws-sdk/util-dynamodb")];
  npm(["install", ...NPM_FLAGS, tarball, ...peers, ...packages], dir);
  return dir;
}

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

  project = userProject("consumer", []);
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
    const run = runConsumer(node22());
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

// The pages a user reads for the adapters: the package's README (what npm shows) and the repository's SDK guide.
const PAGES = ["sdk/README.md", "docs/sdk.md"];
const snippets = PAGES.flatMap((page) => adapterSnippets(join(ROOT, page)));
const nameOf = (snippet: AdapterSnippet) => `${snippet.page.slice(ROOT.length)}:${snippet.line}`;
const fileOf = (snippet: AdapterSnippet) => `${nameOf(snippet).replace(/\W+/g, "-")}.ts`;

describe("the docs' adapter examples, from the packed package", () => {
  const client = localClient();
  let servers: string;
  let express4: string;
  let records: string;

  beforeAll(async () => {
    records = await createTable(client, "packed-servers");
    await ensureExampleTables(client);

    // A server project as a user sets one up: the tarball, its AWS peers, the frameworks, and TypeScript with the
    // types the examples need (Fastify and Hono carry theirs).
    servers = userProject("servers", [
      ...["express", "fastify", "hono", "@hono/node-server", "typescript", "@types/express", "@types/node"].map(
        devVersion,
      ),
    ]);
    // Express 4 is a peer range of its own: a project of its own, with only that framework.
    express4 = userProject("express4", [String(rootPackage.devDependencies.express4).replace(/^npm:/, "")]);

    for (const snippet of snippets) {
      writeFileSync(join(servers, fileOf(snippet)), runnableSnippet(snippet));
      if (snippet.kind === "express") writeFileSync(join(express4, fileOf(snippet)), runnableSnippet(snippet));
    }
  }, 300_000);

  afterAll(async () => {
    await deleteTable(client, records);
    client.destroy();
  });

  test("both pages show all four, each importing the package by its name", () => {
    for (const page of PAGES) {
      const kinds = snippets.filter((snippet) => snippet.page === join(ROOT, page)).map((snippet) => snippet.kind);
      expect({ page, kinds: [...new Set(kinds)].sort() }).toEqual({
        page,
        kinds: ["express", "fastify", "function", "web"],
      });
    }
  });

  test("type-check against the package's own types, strict, as a user's tsconfig would", () => {
    writeFileSync(
      join(servers, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "es2024",
          lib: ["es2024"],
          module: "nodenext",
          types: ["node"],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          esModuleInterop: true,
        },
        files: snippets.map(fileOf),
      }),
    );
    const result = spawnSync(process.execPath, [join(servers, "node_modules/typescript/bin/tsc"), "-p", "."], {
      cwd: servers,
      encoding: "utf8",
      timeout: 120_000,
    });
    expect({ status: result.status, errors: result.stdout }).toEqual({ status: 0, errors: "" });
  }, 120_000);

  /** Two deliveries of one key and a third with another payload; what came back, and what the SDK logged. */
  async function deliverThrice(snippet: AdapterSnippet, cwd: string, node: string) {
    const key = `whk_packed_${randomUUID()}`;
    const { NODE_OPTIONS: _jestFlags, ...inherited } = process.env; // Jest's flags are not the user's
    const env = { ...inherited, ONCEGATE_IDEMPOTENCY_TABLE: records, ORDER_ID: key };
    // Node 22 strips the types as Node 24 does, but warns that it is experimental.
    const args =
      node === process.execPath ? [fileOf(snippet)] : ["--disable-warning=ExperimentalWarning", fileOf(snippet)];
    const server = runSnippet(node, args, { cwd, env });
    try {
      const started = await server.started;
      if (snippet.kind === "function") {
        return { key, server, node: started.node, answers: [], results: started.results as unknown[] };
      }
      const answers = await postThrice(Number(started.port), key);
      return { key, server, node: started.node, answers, results: [] };
    } finally {
      await server.stop();
    }
  }

  const runs = [
    ...snippets.flatMap((snippet) => [
      [`${nameOf(snippet)} (${snippet.kind}), Node 24`, snippet, "servers", "24"] as const,
      [`${nameOf(snippet)} (${snippet.kind}), Node 22`, snippet, "servers", "22"] as const,
    ]),
    ...snippets
      .filter((snippet) => snippet.kind === "express")
      .map((snippet) => [`${nameOf(snippet)} (express), Express 4`, snippet, "express4", "24"] as const),
  ];
  test.each(runs)(
    "%s: runs once per key, replays the first answer, refuses another payload",
    async (_name, snippet, where, version) => {
      const cwd = where === "servers" ? servers : express4;
      const { key, server, node, answers, results } = await deliverThrice(
        snippet,
        cwd,
        version === "24" ? process.execPath : node22(),
      );
      expect(server.stderr.join("")).toBe("");
      expect(node).toMatch(version === "24" ? /^v24\./ : new RegExp(`^v${NODE_22}$`));
      const outcomes = loggedOutcomes(server.stdout);
      if (snippet.kind === "function") {
        expect(results).toEqual([{ charged: 42 }, { charged: 42 }, "idempotency_key_reused"]);
        expect(outcomes).toEqual(["executed", "replayed", "rejected"]);
        expect(await getItem(client, "charges", `order-${key}`)).toEqual({ id: `order-${key}`, amount: 42 });
        return;
      }
      expect(answers).toEqual(THRICE_ANSWERS);
      expect(outcomes).toEqual(["executed", "replayed", "rejected"]);
      expect(await getItem(client, "charges", key)).toEqual({ id: key, amount: 42 });
      expect(await getItem(client, records, `default#${key}`)).toMatchObject({ status: "COMPLETED" });
    },
    60_000,
  );
});
