import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { boundedClientConfig } from "./awsClientLimits.ts";
import { readBodyBucket } from "./body/bodyEnvironment.ts";
import { newBodyS3Client } from "./body/bodyS3Client.ts";
import { type GatewayEnvironment, readGatewayEnvironment } from "./gatewayEnvironment.ts";

/** What every gateway Lambda is built from: its validated environment and the standard AWS clients. */
export interface GatewayDependencies extends GatewayEnvironment {
  ddb: DynamoDBClient;
  sqs: SQSClient;
  /** The body bucket's client (`newBodyS3Client`: bounds sized for bodies of up to 5 MB). */
  s3: S3Client;
  /** The body bucket (`ONCEGATE_BODY_BUCKET`). */
  bodyBucket: string;
}

/**
 * Reads the environment once (cold start) and creates the clients from the standard AWS SDK configuration, with
 * bounded timeouts and attempts (`AWS_CALL_LIMITS`, `S3_BODY_CALL_LIMITS`), so the intake, delivery and sweeper are
 * wired the same way. Creating a client makes no call: the sweeper, which never touches the bucket, has one too.
 * @throws InvalidConfigurationError naming the variable or configuration field
 */
export function gatewayDependenciesFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): GatewayDependencies {
  return {
    ...readGatewayEnvironment(env),
    bodyBucket: readBodyBucket(env),
    ddb: new DynamoDBClient(boundedClientConfig()),
    sqs: new SQSClient(boundedClientConfig()),
    s3: newBodyS3Client(),
  };
}
