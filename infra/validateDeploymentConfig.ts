import { Token } from "aws-cdk-lib";
import { InvalidConfigurationError } from "../lambdas/shared/errors.ts";
import type { SecretRef } from "../lambdas/shared/gatewayConfig.ts";
import { parseGatewayConfig, type ResolvedGatewayConfig } from "../lambdas/shared/parseGatewayConfig.ts";
import { type DeployedSecretRef, type GatewayDeploymentConfig, mapSecretRefs } from "./gatewayDeploymentConfig.ts";
import { checkRouteSettings, withoutRouteSettings } from "./providerRoutes.ts";

/**
 * Stand-ins for values only known at deploy time (a created secret's ARN, a Function URL), long enough that the
 * size check below errs on the safe side.
 */
const PLACEHOLDER_SECRET_ARN =
  "arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:OncegateGatewaySecretsPlaceholder0123456789-AbCdEf";
const PLACEHOLDER_URL = "https://placeholder0123456789abcdef0123456789ab.lambda-url.ap-southeast-2.on.aws/";

// Lambda allows 4 KB of environment variables per function, names and values together; the configuration shares
// them with the table name, the queue URL and NODE_OPTIONS (about 300 bytes).
const MAX_CONFIG_JSON_BYTES = 3_500;

// Secrets Manager ends every secret's ARN with "-" and 6 random characters; without them the ARN is partial, and an
// IAM grant on it would match nothing (the function would be denied at run time).
const COMPLETE_SECRET_ARN = /:secret:.+-[A-Za-z0-9]{6}$/;

// A key's ARN: IAM grants on an alias ARN match nothing (the key is what KMS authorizes).
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;

/** Names of created secrets: they become construct ids and output names. */
const CREATED_SECRET_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Checks a deployment's configuration at synth time with the Lambdas' own parser, so a mistake fails `cdk synth`
 * with the field's name instead of the first cold start. Deploy-time values (tokens) are checked as placeholders.
 * Returns the configuration with every default applied (max attempts, destination timeouts…).
 * @throws {@link InvalidConfigurationError} naming the field, or the size when it cannot fit Lambda's environment
 */
export function validateDeploymentConfig(config: GatewayDeploymentConfig): ResolvedGatewayConfig {
  checkRouteSettings(config);
  const withPlaceholders = mapSecretRefs(withoutRouteSettings(config), placeholderRef);
  withPlaceholders.destinations = withPlaceholders.destinations.map((destination) =>
    Token.isUnresolved(destination.url) ? { ...destination, url: PLACEHOLDER_URL } : destination,
  );
  const json = JSON.stringify(withPlaceholders);
  const resolved = parseGatewayConfig(JSON.parse(json));
  const bytes = Buffer.byteLength(json);
  if (bytes > MAX_CONFIG_JSON_BYTES) {
    throw new InvalidConfigurationError(
      "(root)",
      `about ${bytes} bytes as JSON once deployed, more than the ${MAX_CONFIG_JSON_BYTES} that fit in a Lambda environment: use fewer secrets or destinations per gateway`,
    );
  }
  return resolved;
}

function placeholderRef(ref: DeployedSecretRef): SecretRef {
  if ("create" in ref) {
    if (!CREATED_SECRET_NAME.test(ref.create)) {
      throw new InvalidConfigurationError(
        `{ create: ${JSON.stringify(ref.create)} }`,
        `a created secret's name must match ${CREATED_SECRET_NAME.source}`,
      );
    }
    return { secretArn: PLACEHOLDER_SECRET_ARN };
  }
  const jsonKey = ref.jsonKey === undefined ? {} : { jsonKey: ref.jsonKey };
  if ("secret" in ref) return { secretArn: PLACEHOLDER_SECRET_ARN, ...jsonKey };
  // A literal ARN is checked as written; a token (e.g. another stack's output) only at deploy time.
  if (Token.isUnresolved(ref.secretArn)) return { secretArn: PLACEHOLDER_SECRET_ARN, ...jsonKey };
  if (ref.secretArn.includes(":secret:") && !COMPLETE_SECRET_ARN.test(ref.secretArn)) {
    throw new InvalidConfigurationError(
      `{ secretArn: ${JSON.stringify(ref.secretArn)} }`,
      "give the complete ARN, ending with the 6-character suffix Secrets Manager adds (aws secretsmanager describe-secret shows it)",
    );
  }
  if (ref.kmsKeyArn !== undefined) checkKmsKeyArn(ref.kmsKeyArn, ref.secretArn);
  return { secretArn: ref.secretArn, ...jsonKey };
}

function checkKmsKeyArn(kmsKeyArn: string, secretArn: string): void {
  if (Token.isUnresolved(kmsKeyArn)) return;
  const field = `{ secretArn: ${JSON.stringify(secretArn)}, kmsKeyArn }`;
  const region = KMS_KEY_ARN.exec(kmsKeyArn)?.[1];
  if (region === undefined) {
    throw new InvalidConfigurationError(
      field,
      `kmsKeyArn: expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>, not an alias), got ${JSON.stringify(kmsKeyArn)}`,
    );
  }
  const secretRegion = secretArn.split(":")[3];
  if (!Token.isUnresolved(secretArn) && secretRegion !== region) {
    throw new InvalidConfigurationError(
      field,
      `kmsKeyArn: the key is in ${region}, the secret in ${secretRegion}: Secrets Manager only uses a key of its own region`,
    );
  }
}
