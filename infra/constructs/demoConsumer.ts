import { Duration, RemovalPolicy } from "aws-cdk-lib";
import { FunctionUrlAuthType } from "aws-cdk-lib/aws-lambda";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { DEMO_CONSUMER_ENV } from "../../lambdas/demo-consumer/environment.ts";
import type { DestinationConfig } from "../../lambdas/shared/gatewayConfig.ts";
import type { DeployedSecretRef, WithSecretRefs } from "../gatewayDeploymentConfig.ts";
import { allow } from "./gateway/gatewayPermissions.ts";
import { SECRET_READ_ACTIONS } from "./gateway/gatewaySecrets.ts";
import { HandlerFunction } from "./handlerFunction.ts";
import { IdempotencyTable } from "./idempotencyTable.ts";
import { newWebhookSecret } from "./webhookSecret.ts";

export interface DemoConsumerProps {
  /** What deleting the stack does to the idempotency table and the logs. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * The example destination (`lambdas/demo-consumer/handler.ts`): a Lambda wrapped with the SDK's `idempotent()`,
 * its `IdempotencyTable`, the signing secret it shares with the gateway, and a Function URL.
 *
 * The Function URL has no IAM auth (`NONE`): the gateway POSTs with a plain HTTPS request, not a SigV4-signed one,
 * so IAM auth would refuse every delivery. Authentication is the gateway's Standard Webhooks signature, which the
 * handler verifies before anything else, like any webhook receiver on the internet.
 */
export class DemoConsumer extends Construct {
  readonly lambdaFunction: NodejsFunction;
  readonly idempotencyTable: IdempotencyTable;
  readonly signingSecret: Secret;
  /** The Function URL (`https://….lambda-url.<region>.on.aws/`). */
  readonly url: string;
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: DemoConsumerProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.signingSecret = newWebhookSecret(this, "SigningSecret", "Oncegate demo consumer: the gateway signs with it");
    this.idempotencyTable = new IdempotencyTable(this, "IdempotencyRecords", { removalPolicy });
    const handler = new HandlerFunction(this, "Handler", {
      entry: "lambdas/demo-consumer/handler.ts",
      description: "Oncegate demo consumer: verifies the gateway's signature, runs once per Idempotency-Key",
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: {
        [DEMO_CONSUMER_ENV.signingSecretArn]: this.signingSecret.secretArn,
        [DEMO_CONSUMER_ENV.idempotencyTable]: this.idempotencyTable.tableName,
      },
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      logRemovalPolicy: removalPolicy,
    });
    this.lambdaFunction = handler.lambdaFunction;
    this.logGroupName = handler.logGroup.logGroupName;
    this.idempotencyTable.grantClaim(handler.role);
    allow(handler.role, SECRET_READ_ACTIONS, [this.signingSecret.secretArn]);
    this.url = this.lambdaFunction.addFunctionUrl({ authType: FunctionUrlAuthType.NONE }).url;
  }

  /** This consumer as a gateway destination, signed with its secret. */
  destination(id = "demo"): WithSecretRefs<DestinationConfig, DeployedSecretRef> {
    return { id, url: this.url, signingSecrets: [{ secret: this.signingSecret }] };
  }
}
