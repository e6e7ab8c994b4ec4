import { readFileSync } from "node:fs";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { demoSettings } from "../../../infra/demo.config.ts";
import { type OncegateSettings, OncegateStack } from "../../../infra/oncegateStack.ts";

/** The context `cdk synth` runs with: cdk.json's (feature flags included), so tests see the same template. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(new URL("../../../cdk.json", import.meta.url), "utf8"),
).context;

/**
 * An app with cdk.json's context, for fine-grained assertions: esbuild bundling is skipped, and so is CDK's built-in
 * CloudFormation schema validation (about 3 s per test file). `cdk synth` itself, run by the bundle test, and the
 * cdk-nag test (`{ validate: true }`) keep both.
 */
export function testApp(context: Record<string, unknown> = {}, options: { validate?: boolean } = {}): App {
  return new App({
    context: { ...CDK_JSON_CONTEXT, "aws:cdk:bundling-stacks": [], ...context },
    builtinCloudFormationValidation: options.validate ?? false,
  });
}

/** The app's stack as `infra/app.ts` builds it, from the demo's settings (`-c oncegate:demo=true`) unless others are given. */
export function oncegateStack(settings: OncegateSettings = demoSettings, app = testApp()): OncegateStack {
  return new OncegateStack(app, "Oncegate", settings);
}

/** The template of {@link oncegateStack}. */
export function oncegateTemplate(settings: OncegateSettings = demoSettings): Template {
  return Template.fromStack(oncegateStack(settings));
}
