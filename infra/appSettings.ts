import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import { demoSettings } from "./demo.config.ts";
import { CONFIG_FILE_CONTEXT, deploymentConfigFromFile } from "./gatewayConfigFile.ts";
import { oncegateSettings } from "./oncegate.config.ts";
import type { OncegateSettings } from "./oncegateStack.ts";

/** Context key choosing the demo: `cdk deploy -c oncegate:demo=true`. */
export const DEMO_CONTEXT = "oncegate:demo";

/**
 * The settings `infra/app.ts` deploys: `oncegate.config.ts` (yours), or the demo when the context asks for it.
 * The demo is never the default, so a `cdk deploy` without the flag cannot put a public test consumer in front
 * of real providers. With a configuration file (`-c oncegate:config=gateway.json`, the JSON `npm start -- --config`
 * runs), the file is the gateway's configuration and `oncegate.config.ts` gives the rest (alarms, domain, tracing).
 * @throws {@link InvalidConfigurationError} for a demo value other than true or false, a file with the demo, or a
 *   file that cannot be read
 */
export function settingsForContext(value: unknown, configFile?: unknown): OncegateSettings {
  const demo = demoFlag(value);
  if (configFile === undefined) return demo ? demoSettings : oncegateSettings;
  if (typeof configFile !== "string" || configFile === "") {
    throw new InvalidConfigurationError(CONFIG_FILE_CONTEXT, "expected the path of a gateway configuration file");
  }
  if (demo) throw new InvalidConfigurationError(CONFIG_FILE_CONTEXT, `the demo has its own configuration: not both`);
  return { ...oncegateSettings, config: deploymentConfigFromFile(configFile) };
}

function demoFlag(value: unknown): boolean {
  if (value === undefined || value === false || value === "false") return false;
  if (value === true || value === "true") return true;
  throw new InvalidConfigurationError(DEMO_CONTEXT, `expected true or false, got ${JSON.stringify(value)}`);
}
