// Docs example ("Bundling your consumer" in docs/sdk.md and sdk/README.md): the NodejsFunction settings that bundle
// an SDK consumer (`sdk/examples/chargeWithWrapper.ts`) as ES modules and as CommonJS, the AWS SDK left to the Lambda
// runtime or shipped in the bundle. test/integration/sdk/bundling.test.ts synthesizes it (CDK runs the local
// esbuild, no Docker) and invokes each bundle.
import { join } from "node:path";
import { Stack, type StackProps } from "aws-cdk-lib";
import { Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import type { Construct } from "constructs";
import { REPOSITORY_ROOT } from "../constructs/bundling.ts";

const entry = join(REPOSITORY_ROOT, "sdk/examples/chargeWithWrapper.ts");

/** The four consumers, by construct id: ES modules or CommonJS, each with the runtime's AWS SDK or its own. */
export const BUNDLED_CONSUMERS = [
  "EsmConsumer",
  "EsmConsumerOwnAwsSdk",
  "CjsConsumer",
  "CjsConsumerOwnAwsSdk",
] as const;

export class BundledConsumersStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    new NodejsFunction(this, "EsmConsumer", {
      entry,
      runtime: Runtime.NODEJS_22_X,
      bundling: { format: OutputFormat.ESM, mainFields: ["module", "main"] },
    });
    new NodejsFunction(this, "EsmConsumerOwnAwsSdk", {
      entry,
      runtime: Runtime.NODEJS_22_X,
      bundling: { format: OutputFormat.ESM, mainFields: ["module", "main"], bundleAwsSDK: true },
    });
    new NodejsFunction(this, "CjsConsumer", {
      entry,
      runtime: Runtime.NODEJS_22_X,
      bundling: { format: OutputFormat.CJS },
    });
    new NodejsFunction(this, "CjsConsumerOwnAwsSdk", {
      entry,
      runtime: Runtime.NODEJS_22_X,
      bundling: { format: OutputFormat.CJS, bundleAwsSDK: true },
    });
  }
}
