import { createHash } from "node:crypto";
import { parseRetrySchedule } from "../lambdas/delivery/retrySchedule.ts";
import { readDestinationUrl } from "../lambdas/shared/destinationUrl.ts";
import { InvalidConfigurationError, InvalidRetryScheduleError } from "../lambdas/shared/errors.ts";
import type { DestinationConfig, GatewayConfig, SecretRef } from "../lambdas/shared/gatewayConfig.ts";
import {
  GATEWAY_CONFIG_DEFAULTS,
  parseGatewayConfig,
  type ResolvedGatewayConfig,
} from "../lambdas/shared/parseGatewayConfig.ts";
import { integerFromEnvironment, LOCAL_DEFAULTS, LOCAL_ENV } from "./localEnvironment.ts";
import { LOCAL_SECRET_ENV } from "./localSecrets.ts";

/** Id of the demo consumer's destination, and the word that stands for it in `ONCEGATE_DESTINATIONS`. */
export const DEMO_DESTINATION_ID = "demo";
/** Path of the demo consumer on the local front. */
export const DEMO_CONSUMER_PATH = "/consumer/demo";

/** Where the local stack answers. */
export interface LocalAddress {
  /** e.g. `http://127.0.0.1:4000` */
  baseUrl: string;
}

/**
 * Id of a destination given by URL: `dest-` and 8 hex digits of the URL's SHA-256. Stable across restarts and
 * independent of the list's order, because job messages and stored delivery states name destinations by id.
 */
export function destinationIdFor(url: string): string {
  return `dest-${createHash("sha256").update(url).digest("hex").slice(0, 8)}`;
}

/**
 * The local gateway configuration, built from the environment and validated with `parseGatewayConfig`:
 * stripe, github, shopify, standard and keygen, each verified with the secret its variable names (`LOCAL_SECRET_ENV`);
 * the destinations of `ONCEGATE_DESTINATIONS`; the local retry schedule, sweep age and a 1 s floor after throttling.
 * @throws InvalidConfigurationError naming the variable or the configuration field
 */
export function localGatewayConfig(
  env: Readonly<Record<string, string | undefined>>,
  address: LocalAddress,
): ResolvedGatewayConfig {
  const secret = (name: string): SecretRef[] => [{ env: name }];
  const config: GatewayConfig = {
    providers: {
      stripe: { scheme: "stripe", secrets: secret(LOCAL_SECRET_ENV.stripe) },
      github: { scheme: "github", secrets: secret(LOCAL_SECRET_ENV.github) },
      shopify: { scheme: "shopify", secrets: secret(LOCAL_SECRET_ENV.shopify) },
      standard: { scheme: "standard", secrets: secret(LOCAL_SECRET_ENV.standard) },
      keygen: {
        scheme: "keygen",
        publicKeys: secret(LOCAL_SECRET_ENV.keygen),
        // Keygen signs the host and path of the URL configured in its dashboard: this one, locally.
        publicUrl: `${address.baseUrl}/webhooks/keygen`,
      },
    },
    destinations: localDestinations(env, address),
    retryScheduleSeconds: localRetrySchedule(env),
    minDelayAfterThrottleSeconds: LOCAL_DEFAULTS.minDelayAfterThrottleSeconds,
    sweepAfterSeconds: integerFromEnvironment(env, LOCAL_ENV.sweepAfterSeconds, LOCAL_DEFAULTS.sweepAfterSeconds),
  };
  return parseGatewayConfig(config);
}

/** Variables that configure the gateway without a file: with `--config`, the file says all of it. */
const FILE_REPLACES = [
  LOCAL_ENV.destinations,
  LOCAL_ENV.retrySchedule,
  LOCAL_ENV.destinationTimeoutMs,
  LOCAL_ENV.sweepAfterSeconds,
];

/**
 * The `--config` file, once no variable it would silently override is set.
 * @throws InvalidConfigurationError naming the variable
 */
export function checkedConfigFile(file: string, env: Readonly<Record<string, string | undefined>>): string {
  for (const variable of FILE_REPLACES) {
    if (env[variable] !== undefined && env[variable].trim() !== "") {
      throw new InvalidConfigurationError(
        variable,
        `set together with --config ${file}: the file configures the gateway (put it there, or unset the variable)`,
      );
    }
  }
  return file;
}

function localDestinations(
  env: Readonly<Record<string, string | undefined>>,
  address: LocalAddress,
): DestinationConfig[] {
  const variable = LOCAL_ENV.destinations;
  const entries = (env[variable]?.trim() || LOCAL_DEFAULTS.destinations).split(",").map((entry) => entry.trim());
  const timeoutMs = integerFromEnvironment(
    env,
    LOCAL_ENV.destinationTimeoutMs,
    GATEWAY_CONFIG_DEFAULTS.destinationTimeoutMs,
    { max: 900_000 },
  );
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    if (entry === "") throw new InvalidConfigurationError(variable, `entry ${index + 1} is empty`);
    const url =
      entry === DEMO_DESTINATION_ID
        ? `${address.baseUrl}${DEMO_CONSUMER_PATH}`
        : readDestinationUrl(entry, `${variable} entry ${index + 1}`);
    const id = entry === DEMO_DESTINATION_ID ? DEMO_DESTINATION_ID : destinationIdFor(url);
    if (seen.has(id))
      throw new InvalidConfigurationError(variable, `entry ${index + 1} repeats ${JSON.stringify(entry)}`);
    seen.add(id);
    return {
      id,
      url,
      signingSecrets: [{ env: LOCAL_SECRET_ENV.signing }],
      timeoutMs,
    };
  });
}

function localRetrySchedule(env: Readonly<Record<string, string | undefined>>): number[] {
  const text = env[LOCAL_ENV.retrySchedule];
  if (text === undefined || text.trim() === "") return [...LOCAL_DEFAULTS.retryScheduleSeconds];
  try {
    return parseRetrySchedule(text);
  } catch (error) {
    if (!(error instanceof InvalidRetryScheduleError)) throw error;
    throw new InvalidConfigurationError(LOCAL_ENV.retrySchedule, error.message, { cause: error });
  }
}
