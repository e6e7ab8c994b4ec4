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
  const heading = `${provenance(result)}; reproduce with \`${result.command}\`.`;
  writeSection(page, result.benchmark, [heading, "", ...printedTables()].join("\n"));
}

/**
 * Where a result's figures come from: measured by this run, or (`parameters.measured`, a run that priced a recorded
 * measurement again, e.g. `bench:cost -- --reprice`) measured earlier on another machine.
 */
function provenance(result: BenchResult<unknown>): string {
  const measured = result.parameters.measured as RecordedMeasurement | undefined;
  const date = result.generatedAt.slice(0, 10);
  if (measured === undefined) return `Measured ${date} on ${describeMachine(result.machine)}`;
  return `Priced ${date} from the run measured ${measured.at.slice(0, 10)} on ${describeMachine(measured.machine)}`;
}

/** When and where a recorded measurement was made: kept by the runs that reuse it. */
export interface RecordedMeasurement {
  at: string;
  machine: MachineInfo;
}

/** The measurement `result` used: its own, or the one it reused (`parameters.measured`). */
export function measurementOf(result: BenchResult<unknown>): RecordedMeasurement {
  return (
    (result.parameters.measured as RecordedMeasurement | undefined) ?? {
      at: result.generatedAt,
      machine: result.machine,
    }
  );
}

/** `<dir>/<name>.json` if a run wrote it, else undefined. */
export function readResult<T>(dir: string, name: string): BenchResult<T> | undefined {
  const path = join(dir, `${name}.json`);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as BenchResult<T>;
}
