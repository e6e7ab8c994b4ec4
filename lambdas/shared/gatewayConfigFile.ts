import { readFileSync } from "node:fs";
import { InvalidConfigurationError } from "./errors.ts";

/**
 * A gateway configuration file: the JSON form of `GatewayConfig` (`providers`, `destinations` with `id`, `url`,
 * `events`, `signingSecrets`…), which `npm start -- --config <file>` runs locally and the CDK app deploys
 * (`-c oncegate:config=<file>`), so a routing set-up is tried on a laptop before it is deployed. Secrets are
 * references: `{ "env": "NAME" }` is read from the environment locally, and deployed as a Secrets Manager secret
 * the stack creates (`infra/gatewayConfigFile.ts`).
 */

/**
 * The file's JSON, not yet validated (`parseGatewayConfig` does that, naming the field).
 * @throws {@link InvalidConfigurationError} naming the file when it cannot be read or is not JSON
 */
export function readGatewayConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidConfigurationError(
      path,
      `cannot read the configuration file (${code ?? (error as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidConfigurationError(path, `not JSON: ${(error as Error).message}`);
  }
}

/** Where a secret reference sits in the file, e.g. `providers.stripe.secrets[0]`, and the reference as written. */
export type SecretRefVisitor = (ref: Record<string, unknown>, path: string) => unknown;

/**
 * The raw configuration with every secret reference replaced by `visit(ref, path)`: providers' `secrets`,
 * `publicKeys` and `signature.secrets`, destinations' `signingSecrets`. Anything not shaped like a configuration is
 * copied as is, for the validation after this to name it.
 */
export function mapFileSecretRefs(raw: unknown, visit: SecretRefVisitor): unknown {
  if (!isJsonObject(raw)) return raw;
  const mapped: Record<string, unknown> = { ...raw };
  if (isJsonObject(raw.providers)) {
    const providers: Record<string, unknown> = {};
    for (const [name, scheme] of Object.entries(raw.providers)) {
      if (!isJsonObject(scheme)) {
        providers[name] = scheme;
        continue;
      }
      const path = `providers.${name}`;
      const copy: Record<string, unknown> = { ...scheme };
      // Only the lists present: an absent field stays absent rather than becoming `undefined`.
      for (const field of ["secrets", "publicKeys"])
        if (scheme[field] !== undefined) copy[field] = mapList(scheme[field], `${path}.${field}`, visit);
      if (isJsonObject(scheme.signature)) {
        copy.signature = {
          ...scheme.signature,
          secrets: mapList(scheme.signature.secrets, `${path}.signature.secrets`, visit),
        };
      }
      providers[name] = copy;
    }
    mapped.providers = providers;
  }
  if (Array.isArray(raw.destinations)) {
    mapped.destinations = raw.destinations.map((destination, index) =>
      isJsonObject(destination)
        ? {
            ...destination,
            signingSecrets: mapList(destination.signingSecrets, `destinations[${index}].signingSecrets`, visit),
          }
        : destination,
    );
  }
  return mapped;
}

function mapList(value: unknown, path: string, visit: SecretRefVisitor): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((ref, index) => (isJsonObject(ref) ? visit(ref, `${path}[${index}]`) : ref));
}

/** Whether a parsed JSON value is an object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
