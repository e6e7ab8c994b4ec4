import { execFile, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "@jest/globals";
import { App, type CfnResource } from "aws-cdk-lib";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { BUNDLED_CONSUMERS, BundledConsumersStack } from "../../../infra/examples/bundledConsumers.ts";
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
import { commandBlocks } from "../../support/markdownDocs.ts";

/**
 * "Bundling your consumer" (sdk/README.md and docs/sdk.md), run as printed: each esbuild command in a consumer
 * project of its own (the README's wrapper example as `handler.ts`, the repository's node_modules), with the AWS SDK
 * bundled and, with the flag the docs give, external; and each NodejsFunction setting of the docs' CDK example,
 * synthesized with CDK's local esbuild. Every bundle is then loaded in a fresh `node` process as the Lambda runtime
 * loads it and given one webhook twice, against DynamoDB Local: one run, its `db` write committed, the second
 * answer replayed.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const EXAMPLE = join(ROOT, "sdk/examples/chargeWithWrapper.ts");
const CDK_EXAMPLE = join(ROOT, "infra/examples/bundledConsumers.ts");
const INVOKE = join(ROOT, "test/integration/sdk/fixtures/invokeBundleTwice.ts");
const PAGES = ["sdk/README.md", "docs/sdk.md"];
const HEADING = "## Bundling your consumer";
const run = promisify(execFile);

/** A page's bundling section: its text, and its shell commands (comments and continuations folded). */
function bundlingSection(page: string): { text: string; commands: string[] } {
  const lines = readFileSync(join(ROOT, page), "utf8").split("\n");
  const start = lines.indexOf(HEADING);
  if (start < 0) throw new Error(`${page} has no "${HEADING}" section`);
  const after = lines.findIndex((line, index) => index > start && line.startsWith("## "));
  const end = after < 0 ? lines.length : after;
  const commands = commandBlocks(ROOT, join(ROOT, page))
    .filter((block) => block.line > start && block.line <= end)
    .flatMap((block) => block.commands);
  return { text: lines.slice(start, end).join("\n"), commands };
}

const sections = PAGES.map((page) => ({ page, ...bundlingSection(page) }));
const [readme] = sections as [(typeof sections)[number]];
/** The esbuild commands of the package README (the other page must print the same): a Lambda handler's two. */
const esbuildCommands = readme.commands.filter((command) => command.startsWith("npx esbuild handler.ts "));
/** And a server's, as ES modules with the `createRequire` banner. */
const serverCommands = readme.commands.filter((command) => command.startsWith("npx esbuild server.ts "));
/** The error the docs say an Express server bundled without the banner fails with. */
const serverRequireError = /`(Dynamic require of "tty"[^`]*)`/.exec(readme.text)?.[1] ?? "";
/** The flag the docs tell you to add to leave the AWS SDK to the runtime, as they write it. */
const externalFlag = /`('?--external:@aws-sdk\/\*'?)`/.exec(readme.text)?.[1] ?? "";
/** The error the docs say an ES module bundle without `--main-fields` fails with. */
const dynamicRequireError = /`(Dynamic require of [^`]+)`/.exec(readme.text)?.[1] ?? "";

const formatOf = (command: string) => /--format=(\w+)/.exec(command)?.[1];
const outfileOf = (command: string) => /--outfile=(\S+)/.exec(command)?.[1] ?? "";

const client = localClient();
let work: string;
let records: string;
let charges: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "oncegate-bundling-"));
  records = await createTable(client, "bundling-records");
  charges = await createTable(client, "bundling-charges");
});
afterAll(async () => {
  await deleteTable(client, records);
  await deleteTable(client, charges);
  client.destroy();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The environment of a child: this harness's DynamoDB Local and tables, without Jest's NODE_OPTIONS. */
function childEnv(): NodeJS.ProcessEnv {
  const { NODE_OPTIONS: _jestFlags, ...env } = process.env;
  return {
    ...env,
    PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}`,
    IDEMPOTENCY_TABLE: records,
    CHARGES_TABLE: charges,
  };
}

/** A consumer project: an ES module package whose `handler.ts` is the example, node_modules the repository's. */
function consumerProject(name: string): string {
  const project = join(work, name);
  mkdirSync(project);
  symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
  writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  copyFileSync(EXAMPLE, join(project, "handler.ts"));
  return project;
}

/** Whether the bundle imports the DynamoDB client (left external) rather than carrying it. */
function importsAwsSdk(bundle: string): boolean {
  return /(from ?|require\()"@aws-sdk\/client-dynamodb"/.test(readFileSync(bundle, "utf8"));
}

/** Loads `bundle` in a fresh `node` process and delivers one webhook to it twice with the same key. */
function invokeTwice(bundle: string, cwd: string) {
  const key = `whk_bundle_${randomUUID()}`;
  const child = spawnSync(process.execPath, [INVOKE, bundle, key], {
    cwd,
    env: childEnv(),
    encoding: "utf8",
    timeout: 30_000,
  });
  const lines = child.stdout.trim().split("\n");
  return { key, status: child.status, stderr: child.stderr, lines };
}

/** The checks every working bundle passes: one run, its write committed, the second delivery replayed. */
async function expectOneRunThenReplay(bundle: string, cwd: string): Promise<void> {
  const { key, status, stderr, lines } = invokeTwice(bundle, cwd);
  expect({ status, stderr }).toEqual({ status: 0, stderr: "" });
  // The SDK's log line of each invocation (stdout, as in Lambda), then the fixture's own line.
  expect(lines.slice(0, -1).map((line) => JSON.parse(line).outcome)).toEqual(["executed", "replayed"]);
  const { first, second, receipts } = JSON.parse(lines.at(-1) ?? "");
  expect(receipts).toEqual([key]);
  expect(first).toMatchObject({ statusCode: 200, body: JSON.stringify({ ok: true, result: { charged: 4200 } }) });
  expect(second).toMatchObject({
    statusCode: 200,
    body: first.body,
    headers: { "Idempotency-Status": "replayed" },
  });
  expect(await getItem(client, records, `charge-consumer#${key}`)).toMatchObject({ status: "COMPLETED" });
  expect(await getItem(client, charges, key)).toEqual({ id: key, amount: 4200 });
}

describe("the docs' esbuild commands", () => {
  test("both pages print the same three: an ES module one with --main-fields, a CommonJS one, a server's; and the external flag", () => {
    for (const { commands } of sections) {
      expect(commands.filter((command) => command.startsWith("npx esbuild "))).toEqual([
        ...esbuildCommands,
        ...serverCommands,
      ]);
    }
    expect(serverCommands).toHaveLength(1);
    expect(serverCommands[0]).toMatch(/--format=esm .*--banner:js=".*createRequire/);
    expect(esbuildCommands.map(formatOf)).toEqual(["esm", "cjs"]);
    expect(esbuildCommands[0]).toContain("--main-fields=module,main");
    for (const { text } of sections) expect(text).toContain(`\`${externalFlag}\``);
    expect(externalFlag).not.toBe("");
  });

  const cases = esbuildCommands.flatMap((command) => [
    [`${formatOf(command)}, AWS SDK bundled`, command] as const,
    [`${formatOf(command)}, AWS SDK external`, `${command} ${externalFlag}`] as const,
  ]);
  test.each(cases)(
    "%s: the bundle runs the handler once for two deliveries, the second replayed",
    async (name, command) => {
      const project = consumerProject(name.replace(/\W+/g, "-"));
      const { stderr } = await run("bash", ["-c", command], { cwd: project, env: childEnv(), timeout: 60_000 });
      expect(stderr).not.toMatch(/\[(WARNING|ERROR)\]/);
      const bundle = join(project, outfileOf(command));
      // External: the AWS SDK is imported from the runtime's copy (node_modules here), not carried in the bundle.
      expect(importsAwsSdk(bundle)).toBe(command.includes(externalFlag));
      await expectOneRunThenReplay(bundle, project);
    },
  );

  test("fails at import as the docs warn when the ES module command lacks --main-fields=module,main", async () => {
    const project = consumerProject("esm-without-main-fields");
    const command = (esbuildCommands[0] ?? "").replace(" --main-fields=module,main", "");
    await run("bash", ["-c", command], { cwd: project, env: childEnv(), timeout: 60_000 });
    const { status, stderr } = invokeTwice(join(project, outfileOf(command)), project);
    expect(status).not.toBe(0);
    expect(dynamicRequireError).toMatch(/^Dynamic require of "node:/);
    expect(stderr).toContain(dynamicRequireError);
  });
});

describe("the docs' NodejsFunction settings", () => {
  let outdir: string;
  let stack: BundledConsumersStack;
  let assets: Record<string, { source: { path: string } }>;
  let template: { Resources: Record<string, { Properties: { Code: { S3Key: string }; Handler: string } }> };

  beforeAll(() => {
    outdir = join(work, "cdk.out");
    // The Lambda runtime provides `@aws-sdk/*` to a bundle that leaves it out: here, the repository's node_modules.
    mkdirSync(outdir);
    symlinkSync(join(ROOT, "node_modules"), join(outdir, "node_modules"), "dir");
    // A real synth: NodejsFunction bundles with the local esbuild (no Docker), into the cloud assembly.
    const app = new App({ outdir });
    stack = new BundledConsumersStack(app, "BundledConsumers");
    const assembly = app.synth();
    template = assembly.getStackArtifact(stack.artifactId).template;
    assets = JSON.parse(readFileSync(join(assembly.directory, `${stack.artifactId}.assets.json`), "utf8")).files;
  });

  test("the snippets on both pages are lines of infra/examples/bundledConsumers.ts (but for your entry)", () => {
    const example = new Set(
      readFileSync(CDK_EXAMPLE, "utf8")
        .split("\n")
        .map((line) => line.trim()),
    );
    for (const { page, text } of sections) {
      const snippets = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
      expect({ page, snippets: snippets.length > 0 }).toEqual({ page, snippets: true });
      const lines = snippets.flatMap((snippet) => snippet.split("\n").map((line) => line.trim()));
      const foreign = lines.filter((line) => line !== "" && !line.startsWith("entry:") && !example.has(line));
      expect({ page, foreign }).toEqual({ page, foreign: [] });
    }
  });

  test.each(BUNDLED_CONSUMERS)(
    "%s: the synthesized bundle runs the handler once for two deliveries, the second replayed",
    async (id) => {
      const fn = stack.node.findChild(id) as NodejsFunction;
      const resource = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnResource)];
      expect(resource?.Properties.Handler).toBe("index.handler");
      const hash = (resource?.Properties.Code.S3Key ?? "").replace(/\.zip$/, "");
      const directory = join(outdir, assets[hash]?.source.path ?? "");
      // What the runtime loads for `index.handler`: index.mjs for ES modules, index.js for CommonJS.
      const files = ["index.mjs", "index.cjs", "index.js"].filter((name) => existsSync(join(directory, name)));
      expect(files).toEqual([id.startsWith("Esm") ? "index.mjs" : "index.js"]);
      const bundle = join(directory, files[0] as string);
      expect(importsAwsSdk(bundle)).toBe(!id.endsWith("OwnAwsSdk"));
      await expectOneRunThenReplay(bundle, directory);
    },
  );
});

describe("the docs' server command", () => {
  // The package README's Express and Fastify examples, as printed, with the lines that start them listening.
  const examples = adapterSnippets(join(ROOT, "sdk/README.md")).filter(
    (snippet) => snippet.kind === "express" || snippet.kind === "fastify",
  );
  const [serverCommand = ""] = serverCommands;
  const withoutBanner = serverCommand.replace(/ --banner:js="[^"]*"/, "");

  /** A server project whose `server.ts` is the example; bundled with `command`, then started from the bundle. */
  async function bundleAndStart(snippet: AdapterSnippet, command: string, name: string) {
    const project = join(work, name);
    mkdirSync(project);
    symlinkSync(join(ROOT, "node_modules"), join(project, "node_modules"), "dir");
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "server", private: true, type: "module" }));
    writeFileSync(join(project, "server.ts"), runnableSnippet(snippet));
    const { stderr } = await run("bash", ["-c", command], { cwd: project, env: childEnv(), timeout: 60_000 });
    expect(stderr).not.toMatch(/\[(WARNING|ERROR)\]/);
    // Started from elsewhere, as from a container's image: the bundle must carry everything but Node's built-ins.
    const bundle = join(project, outfileOf(command));
    rmSync(join(project, "node_modules"));
    return runSnippet(process.execPath, [bundle], {
      cwd: project,
      env: { ...childEnv(), ONCEGATE_IDEMPOTENCY_TABLE: records },
    });
  }

  beforeAll(async () => {
    await ensureExampleTables(client);
  });

  test("is run on the README's Express and Fastify examples", () => {
    expect(examples.map((snippet) => snippet.kind)).toEqual(["express", "fastify"]);
  });

  test.each(examples.map((snippet) => [snippet.kind, snippet] as const))(
    "%s: the bundled server runs once per key, replays the first answer, refuses another payload",
    async (kind, snippet) => {
      const server = await bundleAndStart(snippet, serverCommand, `server-${kind}`);
      try {
        const { port } = await server.started;
        const key = `whk_bundle_${randomUUID()}`;
        expect(await postThrice(Number(port), key)).toEqual(THRICE_ANSWERS);
        expect(loggedOutcomes(server.stdout)).toEqual(["executed", "replayed", "rejected"]);
        expect(await getItem(client, "charges", key)).toEqual({ id: key, amount: 42 });
      } finally {
        await server.stop();
      }
      expect(server.stderr.join("")).toBe("");
    },
  );

  test.each(examples.map((snippet) => [snippet.kind, snippet] as const))(
    "%s: without the banner the bundle fails at import, as the docs warn",
    async (kind, snippet) => {
      const server = await bundleAndStart(snippet, withoutBanner, `server-${kind}-without-banner`);
      await expect(server.started).rejects.toThrow(/Dynamic require of "/);
      if (kind === "express") expect(server.stderr.join("")).toContain(serverRequireError);
      expect(serverRequireError).toMatch(/^Dynamic require of "tty" is not supported$/);
    },
  );
});
