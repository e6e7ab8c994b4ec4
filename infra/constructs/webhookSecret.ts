import { Validations } from "aws-cdk-lib";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Construct } from "constructs";

// 64 letters and digits are also valid base64 (48 bytes): a generated value is already a usable Standard Webhooks
// signing secret, so a fresh deploy delivers signed requests before anyone has set a value.
const GENERATED_VALUE = { passwordLength: 64, excludePunctuation: true, includeSpace: false };

/**
 * A Secrets Manager secret for a webhook signing key, created with a random value (valid Standard Webhooks key
 * material) that you may replace with `aws secretsmanager put-secret-value`. Encrypted with the AWS managed key.
 */
export function newWebhookSecret(scope: Construct, id: string, description: string): Secret {
  const secret = new Secret(scope, id, { description, generateSecretString: GENERATED_VALUE });
  Validations.of(secret).acknowledge({
    id: "AwsSolutions::AwsSolutions-SMG4",
    reason: "Webhook secrets are issued by the provider or shared with a consumer; rotation lists two secrets.",
  });
  return secret;
}
