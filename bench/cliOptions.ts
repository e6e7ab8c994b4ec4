import { parseArgs } from "node:util";
import { DEFAULT_RESULTS_DIR } from "./results.ts";

/**
 * The command-line options every benchmark script takes. Sizes are integers; anything else is refused with a
 * message naming the option, so a typo never silently runs the default.
 */
export interface BenchOptions<Sizes extends Record<string, number>> {
  sizes: Sizes;
  resultsDir: string;
  /** Tiny sizes (the smoke run in `npm test`): exercises every path, measures nothing worth keeping. */
  quick: boolean;
  /** The script's own boolean options (`--<name>`), false when absent. */
  flags: Record<string, boolean>;
}

/**
 * Reads `--<size> <int>` for each key of `defaults` (e.g. `--n 2000`), `--quick` (which switches to
 * `quickSizes` before explicit sizes apply), `--results-dir <dir>` and each of the script's own `flagNames`.
 */
export function readBenchOptions<Sizes extends Record<string, number>>(
  defaults: Sizes,
  quickSizes: Sizes,
  argv: string[] = process.argv.slice(2),
  flagNames: readonly string[] = [],
): BenchOptions<Sizes> {
  const sizeOptions = Object.fromEntries(Object.keys(defaults).map((name) => [name, { type: "string" as const }]));
  const { values } = parseArgs({
    args: argv,
    options: {
      ...sizeOptions,
      ...Object.fromEntries(flagNames.map((name) => [name, { type: "boolean" as const, default: false }])),
      quick: { type: "boolean", default: false },
      "results-dir": { type: "string" },
    },
    strict: true,
  });
  const quick = values.quick === true;
  const sizes = { ...(quick ? quickSizes : defaults) } as Record<string, number>;
  for (const name of Object.keys(defaults)) {
    const raw = (values as Record<string, unknown>)[name];
    if (raw === undefined) continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1)
      throw new Error(`--${name} must be a whole number ≥ 1, got "${raw}"`);
    sizes[name] = value;
  }
  const resultsDir = typeof values["results-dir"] === "string" ? values["results-dir"] : DEFAULT_RESULTS_DIR;
  const flags = Object.fromEntries(flagNames.map((name) => [name, (values as Record<string, unknown>)[name] === true]));
  return { sizes: sizes as Sizes, resultsDir, quick, flags };
}
