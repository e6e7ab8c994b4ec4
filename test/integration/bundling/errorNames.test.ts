import { expect, test } from "@jest/globals";
import { build } from "esbuild";
import * as gatewayErrors from "../../../lambdas/shared/errors.ts";
import * as sdk from "../../../sdk/index.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

/** Every exported error class of a module, by its exported name. */
function errorClasses(module: Record<string, unknown>): string[] {
  return Object.entries(module)
    .filter(([, value]) => typeof value === "function" && (value as { prototype?: unknown }).prototype instanceof Error)
    .map(([name]) => name);
}

/**
 * What a minifying bundler (the CDK app's NodejsFunctions, a consumer's own esbuild) does to class names: renames
 * them. The error names our logs, `failRecord` and users' `error.name` checks read must survive it.
 */
test.each([
  ["sdk/index.ts", errorClasses(sdk)],
  ["lambdas/shared/errors.ts", errorClasses(gatewayErrors)],
])("every error class of %s keeps its name in a minified bundle", async (entry, names) => {
  expect(names.length).toBeGreaterThan(5);
  const constructions = names.map((name) => `${name}: Reflect.construct(errors.${name}, ["a", "b", "c"]).name`);
  const result = await build({
    stdin: {
      contents: `import * as errors from "./${entry}"; export const names = { ${constructions.join(", ")} };`,
      resolveDir: ROOT,
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "node",
    minify: true,
    write: false,
    external: ["@aws-sdk/*", "@middy/*"],
  });
  const code = result.outputFiles[0]?.text ?? "";
  // The minified module, without the imports it does not need to build errors.
  const standalone = code.replace(/import[^;]*?from\s*"[^"]+";/g, "");
  const module = (await import(`data:text/javascript,${encodeURIComponent(standalone)}`)) as {
    names: Record<string, string>;
  };
  expect(module.names).toEqual(Object.fromEntries(names.map((name) => [name, name])));
});
