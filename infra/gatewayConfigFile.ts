import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import { mapFileSecretRefs, readGatewayConfigFile } from "../lambdas/shared/gatewayConfigFile.ts";
import type { GatewayDeploymentConfig } from "./gatewayDeploymentConfig.ts";

/** Context key naming a gateway configuration file: `cdk deploy -c oncegate:config=gateway.json`. */
export const CONFIG_FILE_CONTEXT = "oncegate:config";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A gateway configuration file (the JSON `npm start -- --config` runs) as the deployment's `config`. Its
 * `{ "env": "NAME" }` secrets, which the local stack reads from the environment, become secrets the stack creates
 * (`{ create: "name" }`, the variable's name in lower case with `-` for `_`), to be given their values after the
 * first deploy like any created secret; `{ create }` and `{ secretArn }` are kept as written. Validated afterwards
 * by `validateDeploymentConfig`, naming the field.
 * @throws InvalidConfigurationError naming the file, or the file and a field
 */
export function deploymentConfigFromFile(file: string): GatewayDeploymentConfig {
  return mapFileSecretRefs(readGatewayConfigFile(file), (ref, path) => {
    if (!("env" in ref)) return ref;
    const name = ref.env;
    if (typeof name !== "string" || !ENV_NAME.test(name) || Object.keys(ref).length > 1) {
      throw new InvalidConfigurationError(`${file}: ${path}`, 'expected { "env": "NAME" } with a variable name');
    }
    return { create: createdSecretName(name) };
  }) as GatewayDeploymentConfig;
}

/** `STRIPE_WEBHOOK_SECRET` → `stripe-webhook-secret`: a created secret's name (construct id and output). */
export function createdSecretName(variable: string): string {
  return variable.toLowerCase().replaceAll("_", "-").replace(/^-+/, "").replace(/-+$/, "");
}
