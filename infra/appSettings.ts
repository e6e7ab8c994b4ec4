import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import { demoSettings } from "./demo.config.ts";
import { oncegateSettings } from "./oncegate.config.ts";
import type { OncegateSettings } from "./oncegateStack.ts";

/** Context key choosing the demo: `cdk deploy -c oncegate:demo=true`. */
export const DEMO_CONTEXT = "oncegate:demo";

/**
 * The settings `infra/app.ts` deploys: `oncegate.config.ts` (yours), or the demo when the context asks for it.
 * The demo is never the default, so a `cdk deploy` without the flag cannot put a public test consumer in front
 * of real providers.
 * @throws {@link InvalidConfigurationError} for a value other than true or false
 */
export function settingsForContext(value: unknown): OncegateSettings {
  if (value === undefined || value === false || value === "false") return oncegateSettings;
  if (value === true || value === "true") return demoSettings;
  throw new InvalidConfigurationError(DEMO_CONTEXT, `expected true or false, got ${JSON.stringify(value)}`);
}
