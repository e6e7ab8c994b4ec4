import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/**
 * How the AWS SDK is packaged. `bundled-cjs`: inside the bundle, resolved the esbuild way for platform node (the
 * packages' CommonJS builds: what a NodejsFunction with default settings ships). `bundled-esm`: inside the bundle,
 * ES module builds first (`mainFields: module, main`, as our CDK app bundles its Lambdas: they tree-shake to the
 * commands used). `external`: `@aws-sdk/*` left to the Lambda runtime, which ships it.
 */
export type AwsSdkMode = "bundled-cjs" | "bundled-esm" | "external";

export const AWS_SDK_MODES: readonly AwsSdkMode[] = ["bundled-cjs", "bundled-esm", "external"];

export interface BuiltBundle {
  path: string;
  minifiedBytes: number;
  /** gzip at its default level (6), about what a deployment zip compresses it to. */
  gzipBytes: number;
  /** Minified bytes by origin, from esbuild's metafile: an npm package, or a folder of this repository. */
  bytesByOrigin: Record<string, number>;
}

// An ESM bundle of CommonJS builds calls `require` for Node built-ins: give it one, as the CDK documentation
// suggests for ESM NodejsFunctions. ES module builds need none; a CommonJS-only dependency (Express and its `debug`,
// which requires `tty`) needs it in every mode.
const REQUIRE_SHIM =
  'import{createRequire as __oncegateRequire}from"node:module";const require=__oncegateRequire(import.meta.url);';

/**
 * Bundles `entry` as a Lambda function would ship it: ESM, minified, platform node, target node24.
 * `commonJsOnly`: the entry depends on a package that has only CommonJS builds, so it gets `require` in every mode.
 */
export async function buildBundle(
  entry: string,
  outDir: string,
  name: string,
  mode: AwsSdkMode,
  commonJsOnly = false,
): Promise<BuiltBundle> {
  const path = join(outDir, `${name}.${mode}.mjs`);
  const result = await build({
    entryPoints: [entry],
    outfile: path,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node24",
    minify: true,
    metafile: true,
    ...(mode === "bundled-cjs" || commonJsOnly ? { banner: { js: REQUIRE_SHIM } } : {}),
    ...(mode === "bundled-cjs" ? {} : { mainFields: ["module", "main"] }),
    external: mode === "external" ? ["@aws-sdk/*"] : [],
    logLevel: "warning",
  });
  const output = Object.values(result.metafile.outputs)[0];
  if (output === undefined) throw new Error(`esbuild wrote no output for ${entry}`);
  const bytesByOrigin: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const origin = originOf(input);
    bytesByOrigin[origin] = (bytesByOrigin[origin] ?? 0) + bytesInOutput;
  }
  const code = readFileSync(path);
  return { path, minifiedBytes: code.byteLength, gzipBytes: gzipSync(code).byteLength, bytesByOrigin };
}

/** `node_modules/@smithy/core/dist-es/x.js` → `@smithy/core`; `sdk/middleware.ts` → `sdk/`. */
export function originOf(input: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  const folders = input.split("/");
  return folders.length > 1 ? `${folders[0]}/` : input;
}
