import { Stack } from "aws-cdk-lib";
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import type { SecretRef } from "../../../lambdas/shared/gatewayConfig.ts";
import type { DeployedSecretRef, SecretOwner } from "../../gatewayDeploymentConfig.ts";
import { pascalCase } from "../names.ts";
import { newWebhookSecret } from "../webhookSecret.ts";

/** The one action the Lambdas call on a secret (`lambdas/shared/secrets.ts`): no DescribeSecret, no ListSecrets. */
export const SECRET_READ_ACTIONS = ["secretsmanager:GetSecretValue"];

/** What GetSecretValue needs on a secret's customer managed key: Secrets Manager decrypts as the caller. */
export const SECRET_KEY_ACTIONS = ["kms:Decrypt"];

/**
 * The gateway's Secrets Manager secrets: creates one per `{ create }` name, imports `{ secretArn }` references, and
 * remembers which function reads which, so each gets `GetSecretValue` on exactly its own secrets.
 */
export class GatewaySecrets extends Construct {
  /** Secrets created for `{ create: name }` references, by name. */
  readonly created = new Map<string, Secret>();
  private readonly imported = new Map<string, ISecret>();
  private readonly readBy: Record<SecretOwner, Set<ISecret>> = { provider: new Set(), destination: new Set() };

  /** The reference the Lambdas get (`{ secretArn, jsonKey? }`) for a deployed one, read by `owner`'s function. */
  lambdaRef(ref: DeployedSecretRef, owner: SecretOwner): SecretRef {
    const secret = this.secretOf(ref);
    this.readBy[owner].add(secret);
    const secretArn = secret.secretFullArn ?? secret.secretArn;
    return "jsonKey" in ref && ref.jsonKey !== undefined ? { secretArn, jsonKey: ref.jsonKey } : { secretArn };
  }

  /** Lets `grantee` read the secrets of `owner` (provider secrets: intake; signing secrets: delivery). */
  grantReadTo(owner: SecretOwner, grantee: IGrantable): void {
    const secrets = [...this.readBy[owner]];
    if (secrets.length === 0) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: SECRET_READ_ACTIONS, resources: secrets.map(readableArn) }),
    );
    for (const secret of secrets) this.grantDecryptOf(secret, grantee);
  }

  // Narrower than `key.grantDecrypt`: only through Secrets Manager, and only for this secret (its encryption context).
  private grantDecryptOf(secret: ISecret, grantee: IGrantable): void {
    if (secret.encryptionKey === undefined) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: SECRET_KEY_ACTIONS,
        resources: [secret.encryptionKey.keyArn],
        conditions: {
          StringEquals: {
            "kms:ViaService": `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
            "kms:EncryptionContext:SecretARN": readableArn(secret),
          },
        },
      }),
    );
  }

  private secretOf(ref: DeployedSecretRef): ISecret {
    if ("secret" in ref) return ref.secret;
    if ("create" in ref) return this.created.get(ref.create) ?? this.create(ref.create);
    const known = this.imported.get(ref.secretArn);
    if (known !== undefined) return known;
    const id = `Imported${this.imported.size + 1}`;
    const secret =
      ref.kmsKeyArn === undefined
        ? Secret.fromSecretCompleteArn(this, id, ref.secretArn)
        : Secret.fromSecretAttributes(this, id, {
            secretCompleteArn: ref.secretArn,
            encryptionKey: Key.fromKeyArn(this, `${id}Key`, ref.kmsKeyArn),
          });
    this.imported.set(ref.secretArn, secret);
    return secret;
  }

  private create(name: string): Secret {
    const secret = newWebhookSecret(
      this,
      pascalCase(name),
      `Oncegate secret "${name}": a random value until you put yours (see the README)`,
    );
    this.created.set(name, secret);
    return secret;
  }
}

// A secret known by a partial ARN has a full one ending in "-" and 6 random characters.
function readableArn(secret: ISecret): string {
  return secret.secretFullArn ?? `${secret.secretArn}-??????`;
}
