import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, test } from "@jest/globals";
import { brokenLinks, type CommandBlock, commandBlocks, documentationPages } from "../support/markdownDocs.ts";

/**
 * The docs a newcomer follows: every relative link resolves (file and heading), every shell block is either run here
 * (`runnable`) or said not to be (`not-run`), every npm script, binary and file a command names exists, the README
 * stays short and its code is the code the type-checker sees.
 */
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const pages = documentationPages(ROOT);
const blocks = pages.flatMap((page) => commandBlocks(ROOT, page));
const scripts = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as object);
// npx also runs the repository's own `bin` entries (`npx oncegate`), which npm does not link into node_modules/.bin.
const ownBinaries = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).bin ?? {});
const binaries = new Set([...readdirSync(join(ROOT, "node_modules/.bin")), ...ownBinaries]);
const run = promisify(execFile);

/** The simple commands of a line: split on `&&`, `;` and `|`, leading `VAR=value` assignments dropped. */
function simpleCommands(line: string): string[][] {
  return line
    .split(/&&|;|\|/)
    .map((part) => part.trim().split(/\s+/).filter(Boolean))
    .map((words) => {
      while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) words.shift();
      return words;
    })
    .filter((words) => words.length > 0);
}

/** What is wrong with one command, checked without running it; undefined when nothing is. */
function staticProblem(words: string[]): string | undefined {
  const [verb, first, second] = words;
  if (verb === "npm") {
    if (first === "run") return second && scripts.includes(second) ? undefined : `no npm script "${second}"`;
    if (first === "start" || first === "test") return scripts.includes(first) ? undefined : `no npm script "${first}"`;
    return ["install", "ci", "pack", "publish"].includes(first ?? "") ? undefined : `unexpected npm command "${first}"`;
  }
  if (verb === "npx") {
    if (!first || !binaries.has(first)) return `npx ${first}: no such binary in node_modules/.bin`;
    if (first === "tsx" && second && !second.startsWith("-") && !existsSync(join(ROOT, second))) {
      return `npx tsx ${second}: no such file`;
    }
    return undefined;
  }
  return undefined;
}

describe("documentation", () => {
  test("finds the pages: the README, CONTRIBUTING, CHANGELOG and one page per job in docs/", () => {
    const names = pages.map((page) => page.slice(ROOT.length));
    for (const name of ["README.md", "CONTRIBUTING.md", "CHANGELOG.md"]) expect(names).toContain(name);
    for (const job of [
      "architecture",
      "sdk",
      "gateway",
      "deploy",
      "operations",
      "performance",
      "reliability",
      "SECURITY",
    ]) {
      expect(names).toContain(`docs/${job}.md`);
    }
  });

  test.each(pages.map((page) => [page.slice(ROOT.length), page]))("%s: every relative link resolves", (_name, page) => {
    expect(brokenLinks(ROOT, page)).toEqual([]);
  });

  test("the link check finds a missing file and a missing heading", () => {
    const dir = mkdtempSync(join(tmpdir(), "oncegate-docs-"));
    const page = join(dir, "page.md");
    writeFileSync(
      page,
      "# Title\n\n[ok](#title) [gone](missing.md) [no heading](#nowhere) [web](https://example.com)\n",
    );
    expect(brokenLinks(dir, page).map((b) => b.target)).toEqual(["missing.md", "#nowhere"]);
    rmSync(dir, { recursive: true, force: true });
  });

  test("the README is short: at most 250 lines", () => {
    expect(readFileSync(join(ROOT, "README.md"), "utf8").split("\n").length).toBeLessThanOrEqual(250);
  });

  test("each docs page says first who it is for", () => {
    for (const page of pages.filter((p) => p.includes("/docs/") && !p.endsWith("SECURITY.md"))) {
      const firstParagraph = readFileSync(page, "utf8").split("\n\n")[1] ?? "";
      expect({ page, firstParagraph }).toMatchObject({ firstParagraph: expect.stringMatching(/^For /) });
    }
  });

  test("the README's TypeScript is the code of a type-checked example", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const examples = readdirSync(join(ROOT, "sdk/examples")).map((name) =>
      readFileSync(join(ROOT, "sdk/examples", name), "utf8"),
    );
    for (const match of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
      const lines = (match[1] as string).split("\n").filter((line) => line.trim() !== "");
      expect(examples.some((source) => lines.every((line) => source.includes(line)))).toBe(true);
    }
  });

  test("every shell block is marked runnable (run here) or not-run", () => {
    const unmarked = blocks.filter((block) => block.mode === "checked").map((b) => `${b.page}:${b.line}`);
    expect(unmarked).toEqual([]);
  });

  test("every npm script, npx binary and script file a command names exists", () => {
    const problems = blocks.flatMap((block) =>
      block.commands.flatMap((line) =>
        simpleCommands(line).flatMap((words) => {
          const problem = staticProblem(words);
          return problem ? [`${block.page}:${block.line}: ${problem}`] : [];
        }),
      ),
    );
    expect(problems).toEqual([]);
  });

  const runnable = blocks.filter((block) => block.mode === "runnable");
  test.each(runnable.map((block) => [`${block.page}:${block.line}`, block] as const))(
    "%s: the runnable block runs and exits 0",
    async (_where, block: CommandBlock) => {
      for (const command of block.commands) {
        // The docs' commands as a user types them, from the repository root, with the same PATH npm scripts get.
        const env = { ...process.env, PATH: `${join(ROOT, "node_modules/.bin")}:${process.env.PATH}` };
        await run("bash", ["-c", command], { cwd: ROOT, env, timeout: 120_000 });
      }
    },
    180_000,
  );

  test("lists the blocks not run here (they need AWS, a running stack, or minutes)", () => {
    const notRun = blocks.filter((block) => block.mode === "not-run");
    expect(notRun.length).toBeGreaterThan(0);
    expect(runnable.length).toBeGreaterThan(0);
  });
});
