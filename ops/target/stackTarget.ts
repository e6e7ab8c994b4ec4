import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NotFoundError } from "../errors.ts";
import { cloudWatchCounts } from "../metrics/cloudWatchCounts.ts";
import { asOperator, operatorFailureOf } from "./awsFailures.ts";
import { eventSourcesFromOutputs } from "./eventSourceOutputs.ts";
import { operatorClientConfig } from "./operatorClientLimits.ts";
import type { OperatorTarget } from "./operatorTarget.ts";
import { resourcesFromOutputs } from "./stackOutputs.ts";

/** A deployed gateway, by its CloudFormation stack. */
export interface StackTargetOptions {
  stackName: string;
  /** @default the AWS SDK's (AWS_REGION, the profile's region) */
  region?: string;
  /** A named profile of the shared AWS config files. @default the standard chain (AWS_PROFILE, environment, SSO…) */
  profile?: string;
}

/**
 * The stack's outputs (`DescribeStacks`), read with the operator's own credentials (the standard chain, or
 * `profile`); the returned clients use the same credentials and region.
 * @throws NotFoundError when there is no such stack; TargetError without credentials or access; OperatorUsageError
 *   without a region
 */
export async function stackTarget(options: StackTargetOptions): Promise<OperatorTarget> {
  const config = {
    ...(options.region !== undefined && { region: options.region }),
    ...(options.profile !== undefined && { profile: options.profile }),
  };
  const cloudFormation = new CloudFormationClient(config);
  let outputs: Map<string, string>;
  let region: string;
  try {
    region = await asOperator("read the stack", () => cloudFormation.config.region());
    const out = await cloudFormation
      .send(new DescribeStacksCommand({ StackName: options.stackName }))
      .catch((error) => {
        if (isNoSuchStack(error)) {
          throw new NotFoundError(
            "no_such_stack",
            `There is no stack ${options.stackName} in ${region}: check --stack and --region (npx cdk list names the app's stacks).`,
            { cause: error },
          );
        }
        throw operatorFailureOf(error, `call cloudformation:DescribeStacks on ${options.stackName}`);
      });
    const stack = out.Stacks?.[0];
    outputs = new Map((stack?.Outputs ?? []).map((output) => [output.OutputKey ?? "", output.OutputValue ?? ""]));
  } finally {
    cloudFormation.destroy();
  }
  const { resources, countingFunctions } = resourcesFromOutputs(options.stackName, outputs);
  const eventSources = eventSourcesFromOutputs(options.stackName, outputs);
  const clientConfig = { ...config, region };
  const bounded = { ...clientConfig, ...operatorClientConfig() };
  const ddb = new DynamoDBClient(bounded);
  const sqs = new SQSClient(bounded);
  const s3 = new S3Client(bounded);
  const cloudWatch = new CloudWatchClient(bounded);
  // Only the `destinations` commands call it, on the mappings the stack names.
  const lambda = eventSources === undefined ? undefined : new LambdaClient(bounded);
  let identity: Promise<string> | undefined;
  return {
    kind: "stack",
    label: options.stackName,
    region,
    ddb,
    sqs,
    s3,
    resources,
    ...(countingFunctions !== undefined && { metrics: cloudWatchCounts(cloudWatch, countingFunctions) }),
    supportsMoveTask: true,
    ...(lambda !== undefined && eventSources !== undefined && { lambda, eventSources }),
    identity() {
      identity ??= callerArn(clientConfig);
      return identity;
    },
    close() {
      ddb.destroy();
      sqs.destroy();
      s3.destroy();
      cloudWatch.destroy();
      lambda?.destroy();
    },
  };
}

function isNoSuchStack(error: unknown): boolean {
  const { name, message } = (error ?? {}) as { name?: string; message?: string };
  return name === "ValidationError" && /does not exist/i.test(message ?? "");
}

/** The caller's ARN (`sts:GetCallerIdentity` needs no permission): who an audit entry names. */
async function callerArn(config: { region: string; profile?: string }): Promise<string> {
  const sts = new STSClient(config);
  try {
    const out = await asOperator("call sts:GetCallerIdentity", () => sts.send(new GetCallerIdentityCommand({})));
    return out.Arn ?? out.UserId ?? "unknown";
  } finally {
    sts.destroy();
  }
}
