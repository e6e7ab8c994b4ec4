import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import {
  isJsonObject as isObject,
  mapFileSecretRefs,
  readGatewayConfigFile,
} from "../lambdas/shared/gatewayConfigFile.ts";
import { parseGatewayConfig, type ResolvedGatewayConfig } from "../lambdas/shared/parseGatewayConfig.ts";
import { DEMO_CONSUMER_PATH, DEMO_DESTINATION_ID, type LocalAddress } from "./localConfig.ts";
import { LOCAL_SECRET_ENV } from "./localSecrets.ts";

// Deployment-only fields of a provider (its API Gateway route's throttle): the local front has no stage to throttle.
const ROUTE_FIELDS = ["rateLimit", "burstLimit"];

/**
 * The gateway configuration of `npm start -- --config <file>`: the file the CDK app deploys, run locally.
 * - `{ "env": "NAME" }` secrets are read from the environment; the local stack's own variables
 *   (`STRIPE_WEBHOOK_SECRET`… `ONCEGATE_SIGNING_SECRET`) fall back to their printed local defaults, any other must
 *   be set. `{ create }` and `{ secretArn }` are AWS's: refused, naming the field.
 * - A destination whose `url` is `"demo"` is the demo consumer behind the local front (it verifies with
 *   `ONCEGATE_SIGNING_SECRET`, so that is the secret such a destination must sign with).
 * - Providers' `rateLimit` / `burstLimit` (their API route's throttle) are accepted and have no local effect.
 * Everything else is validated by `parseGatewayConfig`, as at deploy time, and its defaults are the deployed ones.
 * @throws InvalidConfigurationError whose message starts with the file, then the field
 */
export function localConfigFromFile(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
  address: LocalAddress,
): ResolvedGatewayConfig {
  const raw = mapFileSecretRefs(readGatewayConfigFile(file), (ref, path) => localSecretRef(ref, path, env, file));
  try {
    return parseGatewayConfig(withLocalUrls(withoutRouteFields(raw), address, file));
  } catch (error) {
    if (!(error instanceof InvalidConfigurationError)) throw error;
    throw new InvalidConfigurationError(`${file}: ${error.field}`, error.problem, { cause: error });
  }
}

function localSecretRef(
  ref: Record<string, unknown>,
  path: string,
  env: Readonly<Record<string, string | undefined>>,
  file: string,
): unknown {
  if ("create" in ref || "secretArn" in ref) {
    throw new InvalidConfigurationError(
      `${file}: ${path}`,
      'the local stack reads secrets from the environment: write { "env": "NAME" } (deployed, the stack creates a Secrets Manager secret for it)',
    );
  }
  const name = ref.env;
  const localVariable = (Object.values(LOCAL_SECRET_ENV) as unknown[]).includes(name);
  if (typeof name === "string" && !localVariable && (env[name] === undefined || env[name] === "")) {
    throw new InvalidConfigurationError(`${file}: ${path}.env`, `the environment variable ${name} is not set`);
  }
  return ref;
}

function withoutRouteFields(raw: unknown): unknown {
  if (!isObject(raw) || !isObject(raw.providers)) return raw;
  const providers = Object.fromEntries(
    Object.entries(raw.providers).map(([name, scheme]) => [
      name,
      isObject(scheme)
        ? Object.fromEntries(Object.entries(scheme).filter(([key]) => !ROUTE_FIELDS.includes(key)))
        : scheme,
    ]),
  );
  return { ...raw, providers };
}

function withLocalUrls(raw: unknown, address: LocalAddress, file: string): unknown {
  if (!isObject(raw) || !Array.isArray(raw.destinations)) return raw;
  const destinations = raw.destinations.map((destination, index) => {
    if (!isObject(destination) || destination.url !== DEMO_DESTINATION_ID) return destination;
    const first = Array.isArray(destination.signingSecrets) ? destination.signingSecrets[0] : undefined;
    if (!isObject(first) || first.env !== LOCAL_SECRET_ENV.signing) {
      throw new InvalidConfigurationError(
        `${file}: destinations[${index}].signingSecrets[0]`,
        `the demo consumer verifies with ${LOCAL_SECRET_ENV.signing}: sign with { "env": "${LOCAL_SECRET_ENV.signing}" }`,
      );
    }
    return { ...destination, url: `${address.baseUrl}${DEMO_CONSUMER_PATH}` };
  });
  return { ...raw, destinations };
}
