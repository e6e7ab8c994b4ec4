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
  /** The README's cost table only (`cost-targets`, written by `npm run bench:cost` beside its docs section). */
  readme: fileURLToPath(new URL("../README.md", import.meta.url)),
} as const;

/** The page each published result's section is on; results not listed (a partial run's) are never published. */
const SECTION_PAGES: Record<string, string> = {
  sdk: GENERATED_PAGES.performance,
  intake: GENERATED_PAGES.performance,
  e2e: GENERATED_PAGES.performance,
  bundle: GENERATED_PAGES.performance,
  cost: GENERATED_PAGES.performance,
  reliability: GENERATED_PAGES.reliability,
};

/** The page a result's section is on, or undefined when the result has no section. */
export function pageOf(benchmark: string): string | undefined {
  return Object.hasOwn(SECTION_PAGES, benchmark) ? SECTION_PAGES[benchmark] : undefined;
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
