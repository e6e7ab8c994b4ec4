import type { ThrottleSettings } from "aws-cdk-lib/aws-apigatewayv2";
import { fieldPath } from "../lambdas/shared/configFields.ts";
import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import type { GatewayDeploymentConfig, LambdaDeploymentConfig } from "./gatewayDeploymentConfig.ts";

/** A route's throttle, every value settled. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

// The stage's defaults when `throttle` leaves one out (API Gateway's own would be the account's 10 000 / 5 000).
const FALLBACK_RATE = 100;
const BURST_PER_RATE = 2;

/** The configuration the Lambdas get: each provider without its route settings (their parser refuses unknown fields). */
export function withoutRouteSettings(config: GatewayDeploymentConfig): LambdaDeploymentConfig {
  const providers = Object.fromEntries(
    Object.entries(config.providers).map(([name, { rateLimit: _rate, burstLimit: _burst, ...scheme }]) => [
      name,
      scheme,
    ]),
  );
  return { ...config, providers } as LambdaDeploymentConfig;
}

/**
 * Checks each provider's `rateLimit` (a positive number) and `burstLimit` (a whole number of at least 1).
 * @throws {@link InvalidConfigurationError} naming the field, e.g. `providers.stripe.rateLimit`
 */
export function checkRouteSettings(config: GatewayDeploymentConfig): void {
  for (const [name, { rateLimit, burstLimit }] of Object.entries(config.providers)) {
    if (rateLimit !== undefined && !(Number.isFinite(rateLimit) && rateLimit > 0)) {
      throw new InvalidConfigurationError(
        `${fieldPath("providers", name)}.rateLimit`,
        `expected a positive number of requests per second, got ${rateLimit}`,
      );
    }
    if (burstLimit !== undefined && !(Number.isSafeInteger(burstLimit) && burstLimit >= 1)) {
      throw new InvalidConfigurationError(
        `${fieldPath("providers", name)}.burstLimit`,
        `expected a whole number of at least 1, got ${burstLimit}`,
      );
    }
  }
}

/** Each provider's route throttle: its own limits, else the stage's; a burst of twice the rate when only that is set. */
export function routeThrottles(config: GatewayDeploymentConfig, stage: ThrottleSettings): Map<string, RouteThrottle> {
  const stageRate = stage.rateLimit ?? FALLBACK_RATE;
  const stageBurst = stage.burstLimit ?? Math.ceil(stageRate * BURST_PER_RATE);
  const throttles = new Map<string, RouteThrottle>();
  for (const [name, { rateLimit, burstLimit }] of Object.entries(config.providers)) {
    const rate = rateLimit ?? stageRate;
    const burst = burstLimit ?? (rateLimit === undefined ? stageBurst : Math.max(1, Math.ceil(rate * BURST_PER_RATE)));
    throttles.set(name, { rateLimit: rate, burstLimit: burst });
  }
  return throttles;
}
