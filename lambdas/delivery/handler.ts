import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { bodyStoreFromEnvironment } from "../shared/body/bodyStoreDependencies.ts";
import { gatewayDependenciesFromEnvironment } from "../shared/gatewayDependencies.ts";
import { DESTINATION_DIMENSION, emfCounterFor } from "../shared/metrics.ts";
import type { ResolvedGatewayConfig } from "../shared/parseGatewayConfig.ts";
import { createSecretResolver, type SecretResolver } from "../shared/secrets.ts";
import { createDeliveryHandler, type DeliveryHandler, type DeliveryHandlerOptions } from "./deliveryHandler.ts";
import type { DeliverySettingsInput } from "./deliverySettings.ts";

/** The delivery settings of a validated configuration, each destination's signing secrets read. */
export async function deliverySettingsFrom(
  config: ResolvedGatewayConfig,
  secrets: SecretResolver,
): Promise<DeliverySettingsInput> {
  const destinations = await Promise.all(
    config.destinations.map(async ({ id, url, timeoutMs, signingSecrets, circuitBreaker }) => ({
      id,
      url,
      timeoutMs,
      circuitBreaker,
      signingSecrets: await secrets.resolveAll(signingSecrets),
    })),
  );
  return {
    destinations,
    retryScheduleSeconds: config.retryScheduleSeconds,
    minDelayAfterThrottleSeconds: config.minDelayAfterThrottleSeconds,
    peakEventsPerSecond: config.peakEventsPerSecond,
  };
}

/**
 * Builds the delivery handler from the environment (`ENV`): validated configuration, signing secrets read from
 * `env` or Secrets Manager, the standard AWS clients. `overrides` replace any part (the local stack adds `faults`).
 * @throws InvalidConfigurationError naming the variable or configuration field
 * @throws SecretUnavailableError when a signing secret cannot be read
 */
export async function deliveryHandlerFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  overrides: Partial<DeliveryHandlerOptions> = {},
): Promise<DeliveryHandler> {
  const { config, ...dependencies } = gatewayDependenciesFromEnvironment(env);
  const count = emfCounterFor(env);
  return createDeliveryHandler({
    ...dependencies,
    ...bodyStoreFromEnvironment(env),
    config: await deliverySettingsFrom(config, createSecretResolver({ env })),
    countMetric: count,
    countRetried: count && ((destination) => count("Retried", { [DESTINATION_DIMENSION]: destination })),
    countCircuitOpened: count && ((destination) => count("CircuitOpened", { [DESTINATION_DIMENSION]: destination })),
    ...overrides,
  });
}

let fromEnvironment: Promise<DeliveryHandler> | undefined;

/**
 * The Lambda entry point, built once per cold start from `process.env`. If building fails, the whole batch fails
 * (SQS redelivers it) and the next invocation builds again: a Secrets Manager hiccup heals, while an invalid
 * configuration keeps failing loudly with the field's name.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  fromEnvironment ??= deliveryHandlerFromEnvironment(process.env);
  let deliver: DeliveryHandler;
  try {
    deliver = await fromEnvironment;
  } catch (error) {
    fromEnvironment = undefined;
    throw error;
  }
  return deliver(event);
}
