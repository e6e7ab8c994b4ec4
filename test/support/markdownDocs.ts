import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** The Markdown pages a newcomer reads: the README, CONTRIBUTING, CHANGELOG, docs/, and the SDK's README. */
export function documentationPages(root: string): string[] {
  const top = ["README.md", "CONTRIBUTING.md", "CHANGELOG.md"].filter((name) => existsSync(join(root, name)));
  const docs = existsSync(join(root, "docs"))
    ? readdirSync(join(root, "docs"))
        .filter((name) => name.endsWith(".md"))
        .map((name) => join("docs", name))
    : [];
  return [...top, ...docs].map((page) => join(root, page));
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, … */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of withoutFences(markdown).split("\n")) {
    const match = /^#{1,6}\s+(.*)$/.exec(line);
    if (!match?.[1]) continue;
    const base = match[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Fenced code blocks blanked out (their lines kept, so line numbers stay true). */
function withoutFences(markdown: string): string {
  let inFence = false;
  return markdown
    .split("\n")
    .map((line) => {
      if (/^\s*```/.test(line)) {
        inFence = !inFence;
        return "";
      }
      return inFence ? "" : line;
    })
    .join("\n");
}

export interface BrokenLink {
  page: string;
  line: number;
  target: string;
  problem: string;
}

/** Every relative link of `page` whose file or heading does not exist. */
export function brokenLinks(root: string, page: string): BrokenLink[] {
  const markdown = readFileSync(page, "utf8");
  const broken: BrokenLink[] = [];
  withoutFences(markdown)
    .split("\n")
    .forEach((text, index) => {
      for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = match[1] as string;
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        const [path, anchor] = target.split("#") as [string, string | undefined];
        const file = path === "" ? page : resolve(dirname(page), path);
        const where = { page: relative(root, page), line: index + 1, target };
        if (!existsSync(file)) {
          broken.push({ ...where, problem: "no such file" });
          continue;
        }
        if (anchor && file.endsWith(".md") && !headingAnchors(readFileSync(file, "utf8")).has(anchor)) {
          broken.push({ ...where, problem: `no heading #${anchor} in ${relative(root, file)}` });
        }
      }
    });
  return broken;
}

function modeOf(info: string): CommandBlock["mode"] {
  if (info.includes("not-run")) return "not-run";
  return info.includes("runnable") ? "runnable" : "checked";
}

export interface CommandBlock {
  page: string;
  line: number;
  /** From the fence's info string: `runnable` blocks are run by the docs test, `not-run` ones are not; `checked` is unmarked. */
  mode: "checked" | "runnable" | "not-run";
  commands: string[];
}

/** The shell blocks (```bash / ```sh) of a page, one command a line, comments and continuations folded. */
export function commandBlocks(root: string, page: string): CommandBlock[] {
  const lines = readFileSync(page, "utf8").split("\n");
  const blocks: CommandBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(bash|sh)\b(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i + 1;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^```/.test(lines[i] as string); i++) body.push(lines[i] as string);
    const commands = body
      .join("\n")
      .replace(/\\\n/g, " ")
      .split("\n")
      .map((line) => line.replace(/(^|\s)#.*$/, "").trim())
      .filter((line) => line !== "");
    blocks.push({
      page: relative(root, page),
      line: start,
      mode: modeOf(open[2] ?? ""),
      commands,
    });
  }
  return blocks;
}
