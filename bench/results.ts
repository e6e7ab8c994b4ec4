import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { pageOf, writeSection } from "./generatedDocs.ts";
import { describeMachine, type MachineInfo, machineInfo } from "./machine.ts";
import { printedTables } from "./table.ts";

/** Where results go unless `--results-dir` says otherwise; one real run's files are committed. */
export const DEFAULT_RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

/** The envelope every `bench/results/<name>.json` shares. */
export interface BenchResult<T> {
  benchmark: string;
  generatedAt: string;
  machine: MachineInfo;
  /** How to run it again. */
  command: string;
  parameters: Record<string, unknown>;
  data: T;
}

/** Writes `<dir>/<name>.json` through a `.tmp` file and a rename, so a killed run never leaves half a file. */
export function writeResult<T>(
  dir: string,
  name: string,
  content: Pick<BenchResult<T>, "command" | "parameters" | "data">,
): string {
  mkdirSync(dir, { recursive: true });
  const result: BenchResult<T> = {
    benchmark: name,
    generatedAt: new Date().toISOString(),
    machine: machineInfo(),
    ...content,
  };
  const path = join(dir, `${name}.json`);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(result, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
  if (isPublishedRun(dir, content.parameters)) publishTables(result);
  return path;
}

/**
 * Only a full run into the committed results folder rewrites the generated page: quick runs and runs into another
 * folder (the tests' smoke runs) never touch a tracked file.
 */
export function isPublishedRun(dir: string, parameters: Record<string, unknown>): boolean {
  return parameters.quick !== true && join(dir, ".") === join(DEFAULT_RESULTS_DIR, ".");
}

function publishTables(result: BenchResult<unknown>): void {
  const page = pageOf(result.benchmark);
  if (page === undefined) return; // a partial run (e.g. `reliability --only`): the full run's section stays
  const heading = `Measured ${result.generatedAt.slice(0, 10)} on ${describeMachine(result.machine)}; reproduce with \`${result.command}\`.`;
  writeSection(page, result.benchmark, [heading, "", ...printedTables()].join("\n"));
}

/** `<dir>/<name>.json` if a run wrote it, else undefined. */
export function readResult<T>(dir: string, name: string): BenchResult<T> | undefined {
  const path = join(dir, `${name}.json`);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as BenchResult<T>;
}
