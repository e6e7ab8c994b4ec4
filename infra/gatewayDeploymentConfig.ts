import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { GatewayConfig, ProviderScheme, SecretRef } from "../lambdas/shared/gatewayConfig.ts";

/**
 * Where a deployed secret comes from. The Lambdas receive every one of them as `{ secretArn, jsonKey? }`.
 * - `{ create: "stripe" }`: a Secrets Manager secret this stack creates, holding a random value until you set yours;
 * - `{ secret }`: a secret defined elsewhere in the same CDK app;
 * - `{ secretArn }`: an existing secret, by its complete ARN (with the 6-character suffix Secrets Manager adds);
 *   `kmsKeyArn` when it is encrypted with a customer managed key (its key ARN, not an alias), which the reading
 *   function is then allowed to decrypt with, through Secrets Manager and for that secret only.
 */
export type DeployedSecretRef =
  | { create: string }
  | { secret: ISecret; jsonKey?: string }
  | { secretArn: string; jsonKey?: string; kmsKeyArn?: string };

/** `T` with every `SecretRef` in it replaced by `R`: the same configuration shape with another kind of reference. */
export type WithSecretRefs<T, R> = T extends SecretRef
  ? R
  : T extends readonly (infer U)[]
    ? WithSecretRefs<U, R>[]
    : T extends object
      ? { [K in keyof T]: WithSecretRefs<T[K], R> }
      : T;

/**
 * A provider's API Gateway route (`POST /webhooks/<name>`), which has a throttle of its own so that a flood on one
 * provider's URL cannot starve the others. Infrastructure only: removed before the configuration reaches the Lambdas.
 */
export interface ProviderRouteSettings {
  /** Steady requests per second on the route. @default the stage's (`throttle.rateLimit`, 100) */
  readonly rateLimit?: number;
  /** Most requests at once on the route. @default twice `rateLimit` (the stage's, 200, when neither is set) */
  readonly burstLimit?: number;
}

/** The Lambdas' configuration with deployed secret references: what the gateway passes on. */
export type LambdaDeploymentConfig = WithSecretRefs<GatewayConfig, DeployedSecretRef>;

/**
 * The gateway configuration of a deployment: exactly the Lambdas' `GatewayConfig` (providers, destinations, retry
 * schedule…), except that secrets are {@link DeployedSecretRef}s, and each provider may carry its route's
 * {@link ProviderRouteSettings}. A field the Lambdas add is a field here too.
 */
export type GatewayDeploymentConfig = Omit<LambdaDeploymentConfig, "providers"> & {
  providers: Record<string, WithSecretRefs<ProviderScheme, DeployedSecretRef> & ProviderRouteSettings>;
};

/** Who reads a secret: provider secrets are read by the intake, destination signing secrets by the delivery. */
export type SecretOwner = "provider" | "destination";

/**
 * The configuration with each secret reference replaced by `map(ref, owner)`; every other field is copied as is.
 * The one place that knows where secrets sit in a `GatewayConfig`: the exhaustive switch fails to compile when a
 * scheme is added without saying where its secrets are.
 */
export function mapSecretRefs<A, B>(
  config: WithSecretRefs<GatewayConfig, A>,
  map: (ref: A, owner: SecretOwner) => B,
): WithSecretRefs<GatewayConfig, B> {
  const providers: Record<string, WithSecretRefs<ProviderScheme, B>> = {};
  for (const [name, scheme] of Object.entries(config.providers)) {
    providers[name] = mapProviderSecrets(scheme, (ref) => map(ref, "provider"));
  }
  const destinations = config.destinations.map((destination) => ({
    ...destination,
    signingSecrets: destination.signingSecrets.map((ref) => map(ref, "destination")),
  }));
  return { ...config, providers, destinations };
}

function mapProviderSecrets<A, B>(
  scheme: WithSecretRefs<ProviderScheme, A>,
  map: (ref: A) => B,
): WithSecretRefs<ProviderScheme, B> {
  switch (scheme.scheme) {
    case "stripe":
    case "standard":
    case "github":
    case "shopify":
      return { ...scheme, secrets: scheme.secrets.map(map) };
    case "keygen":
      return { ...scheme, publicKeys: scheme.publicKeys.map(map) };
    case "generic": {
      const { signature } = scheme;
      if (signature === "none") return { ...scheme, signature };
      return { ...scheme, signature: { ...signature, secrets: signature.secrets.map(map) } };
    }
  }
}
