import { parseRetrySchedule } from "../delivery/retrySchedule.ts";
import { ENV } from "./environment.ts";
import { InvalidConfigurationError, InvalidRetryScheduleError } from "./errors.ts";
import { checkedJobQueueUrl } from "./jobQueueUrl.ts";
import { parseGatewayConfig, type ResolvedGatewayConfig } from "./parseGatewayConfig.ts";

/** What every gateway Lambda reads from its environment, validated. */
export interface GatewayEnvironment {
  config: ResolvedGatewayConfig;
  eventsTable: string;
  /** The delivery queue's URL, or a template naming one queue per destination (`jobQueueUrl`). */
  queueUrl: string;
}

/**
 * Reads and validates the gateway's environment once, at cold start: `ONCEGATE_CONFIG` (JSON), the events table,
 * the delivery queue URL, and the optional local override of the retry schedule.
 * @throws {@link InvalidConfigurationError} naming the variable or the configuration field
 */
export function readGatewayEnvironment(env: Readonly<Record<string, string | undefined>>): GatewayEnvironment {
  const json = requiredEnvironment(env, ENV.config);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    // The configuration holds no secrets (they are referenced), so the parser's message may quote it.
    throw new InvalidConfigurationError(ENV.config, `not valid JSON (${(error as Error).message})`);
  }
  const config = parseGatewayConfig(parsed);
  const schedule = env[ENV.retrySchedule];
  if (schedule !== undefined && schedule !== "") config.retryScheduleSeconds = retryScheduleOverride(schedule);
  return {
    config,
    eventsTable: requiredEnvironment(env, ENV.eventsTable),
    queueUrl: checkedJobQueueUrl(
      ENV.deliveryQueueUrl,
      requiredEnvironment(env, ENV.deliveryQueueUrl),
      config.destinations.map((destination) => destination.id),
    ),
  };
}

/**
 * The value of the environment variable `name`.
 * @throws {@link InvalidConfigurationError} naming it when it is not set or empty
 */
export function requiredEnvironment(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (value === undefined || value === "") throw new InvalidConfigurationError(name, "environment variable is not set");
  return value;
}

function retryScheduleOverride(text: string): number[] {
  try {
    return parseRetrySchedule(text);
  } catch (error) {
    if (!(error instanceof InvalidRetryScheduleError)) throw error;
    throw new InvalidConfigurationError(ENV.retrySchedule, error.message, { cause: error });
  }
}
