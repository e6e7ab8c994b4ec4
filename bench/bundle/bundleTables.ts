import type { BundleMeasurement, ConsumerComparison } from "../bundleBenchmark.ts";
import { kb, ms, printTable, ratio } from "../table.ts";

const WRAPPER_LABEL = { ours: "ours", powertools: "Powertools" };

/** The comparison's wrapper, and the consumer it wraps when that is not the Lambda one. */
function wrapperLabel(comparison: ConsumerComparison): string {
  const wrapper = WRAPPER_LABEL[comparison.wrapper];
  return comparison.consumer === "express" ? `${wrapper}, Express` : wrapper;
}

/** Prints the bundle sizes, the consumer-vs-floor comparison and our SDK's own code size. */
export function printBundleTables(
  measurements: readonly BundleMeasurement[],
  comparisons: readonly ConsumerComparison[],
  sdkOwnBytes: number,
  repeats: number,
): void {
  printTable({
    title: `Bundles (esbuild: ESM, minified, platform node, target node24; cold import: median of ${repeats} fresh processes)`,
    columns: ["bundle", "AWS SDK", "minified", "gzip", "cold import p50 (ms)", "its CPU time p50 (ms)"],
    rows: measurements.map((m) => [
      m.bundle,
      m.awsSdk,
      kb(m.minifiedBytes),
      kb(m.gzipBytes),
      ms(m.coldImportMsP50),
      ms(m.coldImportCpuMsP50),
    ]),
    notes: [
      "bundled-cjs: the AWS SDK bundled from its CommonJS builds (esbuild's default resolution for platform node).",
      "bundled-esm: from its ES module builds (mainFields module, main: how our CDK app bundles the Lambdas).",
      "external: `@aws-sdk/*` left to the Lambda runtime, imported from node_modules here.",
    ],
  });
  printTable({
    title:
      "Consumer bundle against its floor (Lambda: Middy + DynamoDB client; Express: express.json() + the same route and client; no idempotency code)",
    columns: [
      "AWS SDK",
      "wrapper",
      "minified Δ",
      "size ratio",
      "gzip ratio",
      "cold import ratio",
      "CPU ratio",
      "added to the floor, by origin",
    ],
    rows: comparisons.map((c) => [
      c.awsSdk,
      wrapperLabel(c),
      `${c.minifiedDeltaBytes >= 0 ? "+" : ""}${kb(c.minifiedDeltaBytes)}`,
      ratio(c.minifiedRatio),
      ratio(c.gzipRatio),
      ratio(c.coldImportRatio),
      ratio(c.coldImportCpuRatio),
      Object.entries(c.addedByOrigin)
        .sort((a, b) => b[1] - a[1])
        .map(([origin, bytes]) => `${origin} +${kb(bytes)}`)
        .join(", "),
    ]),
    notes: [
      "Ratios of cold import: median over repeats of the per-repeat ratio (the three Lambda consumers, and the two Express ones, imported back to back).",
      "Express rows: `@oncegate/sdk/express` imported by name (the package's compiled sdk/dist), against the same app with express.json() and no SDK; Express has CommonJS builds only, so both get the createRequire banner in every mode.",
      "Targets: within 3 % of the floor in size and 5 % in cold import, in both modes; our own code ≤ 15 KB.",
      `Our SDK's own code (sdk/ in the bundled-esm consumer, esbuild metafile): ${kb(sdkOwnBytes)} minified.`,
    ],
  });
}
