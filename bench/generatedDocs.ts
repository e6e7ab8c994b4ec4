import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The pages whose tables the scripts write: each script's section sits between two markers,
 * `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`, and is replaced whole by the next real run of that
 * script. Nothing else of the page is touched, so the prose around the tables stays hand-written.
 */
export const GENERATED_PAGES = {
  performance: fileURLToPath(new URL("../docs/performance.md", import.meta.url)),
  reliability: fileURLToPath(new URL("../docs/reliability.md", import.meta.url)),
} as const;

/** Which page each benchmark's section belongs to. */
export function pageOf(benchmark: string): string {
  return benchmark === "reliability" ? GENERATED_PAGES.reliability : GENERATED_PAGES.performance;
}

/**
 * `markdown` with the section `name` replaced by `content`.
 * @throws Error when the page has no markers for that section (a section is placed by hand once, then kept by runs)
 */
export function replaceSection(markdown: string, name: string, content: string): string {
  const open = `<!-- generated:${name} -->`;
  const close = `<!-- /generated:${name} -->`;
  const start = markdown.indexOf(open);
  const end = markdown.indexOf(close);
  if (start < 0 || end < start) throw new Error(`no section ${open} … ${close} to replace`);
  return `${markdown.slice(0, start + open.length)}\n${content.trim()}\n${markdown.slice(end)}`;
}

/** Rewrites one section of a page in place (through a temporary file, so a killed run leaves the page whole). */
export function writeSection(page: string, name: string, content: string): void {
  if (!existsSync(page)) throw new Error(`${page} does not exist`);
  const next = replaceSection(readFileSync(page, "utf8"), name, content);
  writeFileSync(`${page}.tmp`, next);
  renameSync(`${page}.tmp`, page);
}
