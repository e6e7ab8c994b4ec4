import { beforeAll, describe, expect, test } from "@jest/globals";
import { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { WebhookGateway } from "../../infra/constructs/webhookGateway.ts";
import type { GatewayDeploymentConfig } from "../../infra/gatewayDeploymentConfig.ts";
import { validateDeploymentConfig } from "../../infra/validateDeploymentConfig.ts";
import { ENV } from "../../lambdas/shared/environment.ts";
import { InvalidConfigurationError } from "../../lambdas/shared/errors.ts";
import { parseGatewayConfig } from "../../lambdas/shared/parseGatewayConfig.ts";
import { joinedJson } from "./support/joinedJson.ts";
import { testApp } from "./support/testApp.ts";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:stripe-webhooks-AbCdEf";
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const config = (kmsKeyArn: string = KEY_ARN): GatewayDeploymentConfig => ({
  providers: { stripe: { scheme: "stripe", secrets: [{ secretArn: SECRET_ARN, kmsKeyArn }] } },
  destinations: [{ id: "orders", url: "https://orders.example.com/hooks", signingSecrets: [{ create: "orders" }] }],
});

let stack: Stack;
let gateway: WebhookGateway;
let template: Template;
beforeAll(() => {
  stack = new Stack(testApp(), "Kms");
  gateway = new WebhookGateway(stack, "Gateway", { config: config() });
  template = Template.fromStack(stack);
});

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
function statementsOf(fn: IFunction): Statement[] {
  const roleRef = stack.resolve(fn.role?.roleName);
  return Object.values(template.findResources("AWS::IAM::Policy"))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(JSON.stringify(roleRef)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}
const decrypting = (fn: IFunction) => statementsOf(fn).filter((s) => [s.Action].flat().includes("kms:Decrypt"));

describe("An imported secret encrypted with a customer managed KMS key", () => {
  test("lets the intake decrypt with that key, only through Secrets Manager and only for that secret", () => {
    expect(decrypting(gateway.intakeFunction)).toEqual([
      {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: KEY_ARN,
        Condition: {
          StringEquals: {
            "kms:ViaService": { "Fn::Join": ["", ["secretsmanager.", { Ref: "AWS::Region" }, ".amazonaws.com"]] },
            "kms:EncryptionContext:SecretARN": SECRET_ARN,
          },
        },
      },
    ]);
  });

  test("grants the key to no other function", () => {
    expect(decrypting(gateway.deliveryFunction)).toEqual([]);
    expect(decrypting(gateway.sweeperFunction)).toEqual([]);
  });

  test("reaches the Lambdas as a plain { secretArn } their own parser accepts: the key stays infrastructure", () => {
    const id = stack.getLogicalId(gateway.intakeFunction.node.defaultChild as never);
    const variables = template.toJSON().Resources[id].Properties.Environment.Variables;
    const lambdaConfig = joinedJson(variables[ENV.config]);
    expect((lambdaConfig.providers as Record<string, unknown>).stripe).toEqual({
      scheme: "stripe",
      secrets: [{ secretArn: SECRET_ARN }],
    });
    // The created signing secret's ARN is a deploy-time Ref: stand in for it as the stack would fill it in.
    const deployed = JSON.stringify(lambdaConfig).replaceAll(
      /<Ref [^>]+>/g,
      `${SECRET_ARN.slice(0, -7)}-signing-AbCdEf`,
    );
    expect(() => parseGatewayConfig(JSON.parse(deployed))).not.toThrow();
  });

  test.each([
    ["an alias ARN (IAM cannot grant through an alias)", "arn:aws:kms:eu-west-1:123456789012:alias/webhooks"],
    ["a key id instead of an ARN", "1234abcd-12ab-34cd-56ef-1234567890ab"],
    ["a key in another region than the secret", "arn:aws:kms:us-east-1:123456789012:key/1234abcd"],
  ])("rejects %s, naming the field", (_label, kmsKeyArn) => {
    expect(() => validateDeploymentConfig(config(kmsKeyArn))).toThrow(InvalidConfigurationError);
    expect(() => validateDeploymentConfig(config(kmsKeyArn))).toThrow(/kmsKeyArn: /);
  });
});
