import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BundlingOptions, LogLevel, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import type { IConstruct } from "constructs";

/** The repository root: esbuild's project root, and where handler paths start. */
export const REPOSITORY_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The lock file esbuild's project root is recognised by (NodejsFunction insists on one). */
export const LOCK_FILE = join(REPOSITORY_ROOT, "package-lock.json");

/**
 * Context key: `true` makes esbuild write `index.meta.json` (the metafile) next to each bundle, as the bundle-size
 * test and `npm run synth -- -c oncegate:bundleReport=true` do. Off by default: the metafile would ship in the zip.
 */
export const BUNDLE_REPORT_CONTEXT = "oncegate:bundleReport";

/**
 * How every Oncegate handler is bundled: locally by the esbuild in `node_modules` (never Docker), into one minified
 * ES module with a linked source map.
 *
 * The AWS SDK v3 is bundled, not taken from the runtime: the deployed clients are then exactly the versions the
 * tests ran against (the runtime's copy changes with runtime updates), and esbuild keeps only the commands the code
 * sends. No `createRequire` banner: the bundles contain no CommonJS `require` of their own (a test checks it, and
 * would name the banner as the fix if a dependency ever needs it).
 */
export function handlerBundling(scope: IConstruct): BundlingOptions {
  const report = scope.node.tryGetContext(BUNDLE_REPORT_CONTEXT);
  return {
    format: OutputFormat.ESM,
    target: "node24",
    // Prefer the packages' ES module builds: they tree-shake better than their CommonJS ones.
    mainFields: ["module", "main"],
    minify: true,
    sourceMap: true,
    // Stack traces need the mappings, not the sources (which would double the map's size).
    sourcesContent: false,
    bundleAwsSDK: true,
    metafile: report === true || report === "true",
    logLevel: LogLevel.WARNING,
  };
}
