import { execFileSync } from "node:child_process";
import { pathToFileURL } from "node:url";

/** One cold import: wall time, and the CPU time the process spent on it (steadier on a busy machine). */
export interface ColdImport {
  wallMs: number;
  cpuMs: number;
}

// Runs in the fresh process: from just before `import()` to the module and its top level loaded; a bundle that
// does not export a handler fails the run.
const IMPORT_AND_TIME = `
const wall = performance.now();
const cpu = process.cpuUsage();
const module = await import(process.argv[1]);
const wallMs = performance.now() - wall;
const { user, system } = process.cpuUsage(cpu);
if (typeof module.handler !== "function") throw new Error("the bundle exports no handler function");
process.stdout.write(JSON.stringify({ wallMs, cpuMs: (user + system) / 1000 }));
`;

/**
 * Imports `path` in a fresh `node` process and returns how long the import took: what a Lambda cold start spends
 * loading the function's code, without the runtime's own start.
 */
export function coldImport(path: string): ColdImport {
  const output = execFileSync(
    process.execPath,
    ["--input-type=module", "-e", IMPORT_AND_TIME, pathToFileURL(path).href],
    {
      // A bare environment: no NODE_OPTIONS from a test runner, a region as Lambda sets one.
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AWS_REGION: "us-east-1" },
      encoding: "utf8",
    },
  );
  const measured = JSON.parse(output) as ColdImport;
  if (!Number.isFinite(measured.wallMs)) throw new Error(`importing ${path} printed ${JSON.stringify(output)}`);
  return measured;
}
