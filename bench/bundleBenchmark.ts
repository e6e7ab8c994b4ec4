/**
 * `npm run bench:bundle`: esbuild bundles of the intake and delivery Lambdas, of one consumer wrapped with our
 * SDK, with Powertools, and with neither (the floor), and of one Express consumer with our Express adapter and
 * without it (its floor), each with the AWS SDK bundled (two ways) and external. Minified
 * and gzip sizes, bytes by origin (esbuild's metafile), and cold import time in fresh `node` processes
 * (interleaved, median of --repeats). Prints the tables, writes bench/results/bundle.json.
 */
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { invariant, runBench } from "./benchRun.ts";
import { AWS_SDK_MODES, type AwsSdkMode, type BuiltBundle, buildBundle } from "./bundle/buildBundle.ts";
import { printBundleTables } from "./bundle/bundleTables.ts";
import { type ColdImport, coldImport } from "./bundle/coldImport.ts";
import { readBenchOptions } from "./cliOptions.ts";
import { writeResult } from "./results.ts";
import { median } from "./stats.ts";

const { sizes, resultsDir, quick } = readBenchOptions({ repeats: 20 }, { repeats: 2 });

const repo = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
// Inside the repository's node_modules, so an external `@aws-sdk/*` import resolves as the Lambda runtime's would.
const OUT_DIR = repo("node_modules/.cache/oncegate-bench/bundles");

export const BUNDLES = {
  intake: "lambdas/intake/handler.ts",
  delivery: "lambdas/delivery/handler.ts",
  "consumer-ours": "bench/fixtures/oursConsumer.ts",
  "consumer-powertools": "bench/fixtures/powertoolsConsumer.ts",
  "consumer-floor": "bench/fixtures/floorConsumer.ts",
  "express-ours": "bench/fixtures/expressConsumer.ts",
  "express-floor": "bench/fixtures/expressFloorConsumer.ts",
} as const;
export type BundleName = keyof typeof BUNDLES;

export interface BundleMeasurement extends Omit<BuiltBundle, "path"> {
  bundle: BundleName;
  awsSdk: AwsSdkMode;
  /** Median wall time of the import in a fresh process. */
  coldImportMsP50: number;
  /** Median CPU time (user + system) of the same imports. */
  coldImportCpuMsP50: number;
  coldImportSamplesMs: number[];
  coldImportCpuSamplesMs: number[];
}

/** A wrapped consumer against its floor (the same consumer without idempotency code), in one bundling mode. */
export interface ConsumerComparison {
  awsSdk: AwsSdkMode;
  /** A Lambda on Middy (floor: `consumer-floor`) or an Express app (floor: `express-floor`). */
  consumer: "lambda" | "express";
  wrapper: "ours" | "powertools";
  minifiedDeltaBytes: number;
  minifiedRatio: number;
  gzipRatio: number;
  /** Median over repeats of the per-repeat ratio (the contenders were imported in turn within each repeat). */
  coldImportRatio: number;
  /** The same for CPU time. */
  coldImportCpuRatio: number;
  /** Bytes each origin (package, repository folder) adds to the floor's, where it adds more than 512. */
  addedByOrigin: Record<string, number>;
}

await runBench(async () => {
  mkdirSync(OUT_DIR, { recursive: true });
  const built: { bundle: BundleName; awsSdk: AwsSdkMode; built: BuiltBundle; samples: ColdImport[] }[] = [];
  for (const awsSdk of AWS_SDK_MODES) {
    for (const [bundle, entry] of Object.entries(BUNDLES) as [BundleName, string][]) {
      const commonJsOnly = bundle.startsWith("express-"); // Express has CommonJS builds only
      built.push({
        bundle,
        awsSdk,
        built: await buildBundle(repo(entry), OUT_DIR, bundle, awsSdk, commonJsOnly),
        samples: [],
      });
    }
  }
  // Interleaved: each repeat imports every bundle once, the bundles compared with each other (the three Lambda
  // consumers of one mode, the two Express ones) back to back in a rotating order, so a busy spell of the machine
  // hits all of them alike.
  const kindOf = (bundle: BundleName) => /^(consumer|express)-/.exec(bundle)?.[1] ?? "gateway";
  const groups = AWS_SDK_MODES.flatMap((awsSdk) =>
    ["consumer", "express", "gateway"].map((kind) =>
      built.filter((entry) => entry.awsSdk === awsSdk && kindOf(entry.bundle) === kind),
    ),
  );
  for (let repeat = 0; repeat < sizes.repeats; repeat++) {
    for (const group of groups) {
      for (let turn = 0; turn < group.length; turn++) {
        const entry = group[(repeat + turn) % group.length] as (typeof built)[number];
        entry.samples.push(coldImport(entry.built.path));
      }
    }
  }
  const round2 = (ms: number) => Math.round(ms * 100) / 100;
  const measurements: BundleMeasurement[] = built.map(({ bundle, awsSdk, built: { path: _, ...sizes }, samples }) => ({
    bundle,
    awsSdk,
    ...sizes,
    coldImportMsP50: median(samples.map((sample) => sample.wallMs)),
    coldImportCpuMsP50: median(samples.map((sample) => sample.cpuMs)),
    coldImportSamplesMs: samples.map((sample) => round2(sample.wallMs)),
    coldImportCpuSamplesMs: samples.map((sample) => round2(sample.cpuMs)),
  }));
  const find = (bundle: BundleName, awsSdk: AwsSdkMode) =>
    measurements.find((m) => m.bundle === bundle && m.awsSdk === awsSdk) as BundleMeasurement;
  const pairs = [
    { consumer: "lambda", wrapper: "ours", wrapped: "consumer-ours", floor: "consumer-floor" },
    { consumer: "lambda", wrapper: "powertools", wrapped: "consumer-powertools", floor: "consumer-floor" },
    { consumer: "express", wrapper: "ours", wrapped: "express-ours", floor: "express-floor" },
  ] as const;
  const comparisons: ConsumerComparison[] = [];
  for (const awsSdk of AWS_SDK_MODES) {
    for (const pair of pairs) {
      const floor = find(pair.floor, awsSdk);
      const wrapped = find(pair.wrapped, awsSdk);
      const addedByOrigin = Object.fromEntries(
        Object.entries(wrapped.bytesByOrigin)
          .map(([origin, bytes]) => [origin, bytes - (floor.bytesByOrigin[origin] ?? 0)] as const)
          .filter(([, added]) => added > 512),
      );
      comparisons.push({
        awsSdk,
        consumer: pair.consumer,
        wrapper: pair.wrapper,
        minifiedDeltaBytes: wrapped.minifiedBytes - floor.minifiedBytes,
        minifiedRatio: wrapped.minifiedBytes / floor.minifiedBytes,
        gzipRatio: wrapped.gzipBytes / floor.gzipBytes,
        coldImportRatio: median(
          wrapped.coldImportSamplesMs.map((ms, repeat) => ms / (floor.coldImportSamplesMs[repeat] as number)),
        ),
        coldImportCpuRatio: median(
          wrapped.coldImportCpuSamplesMs.map((ms, repeat) => ms / (floor.coldImportCpuSamplesMs[repeat] as number)),
        ),
        addedByOrigin,
      });
    }
  }
  const sdkOwnBytes = find("consumer-ours", "bundled-esm").bytesByOrigin["sdk/"] ?? 0;
  invariant(sdkOwnBytes > 0, "the consumer-ours bundle holds no code from sdk/: the fixture no longer uses the SDK");
  invariant(
    (find("express-ours", "bundled-esm").bytesByOrigin["sdk/"] ?? 0) > 0,
    "the express-ours bundle holds no code from sdk/: the fixture no longer uses the SDK",
  );

  printBundleTables(measurements, comparisons, sdkOwnBytes, sizes.repeats);
  const path = writeResult(resultsDir, "bundle", {
    command: `npm run bench:bundle${quick ? " -- --quick" : ""}`,
    parameters: { ...sizes, quick, esbuild: "esm, minify, platform node, target node24", modes: AWS_SDK_MODES },
    data: { bundles: measurements, comparisons, sdkOwnBytes },
  });
  console.log(`results: ${path}`);
});
