import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { boundedClientConfig } from "./awsClientLimits.ts";
import { type GatewayEnvironment, readGatewayEnvironment } from "./gatewayEnvironment.ts";

/** What every gateway Lambda is built from: its validated environment and the standard AWS clients. */
export interface GatewayDependencies extends GatewayEnvironment {
  ddb: DynamoDBClient;
  sqs: SQSClient;
}

/**
 * Reads the environment once (cold start) and creates the clients from the standard AWS SDK configuration, with
 * bounded timeouts and attempts (`AWS_CALL_LIMITS`), so the intake, delivery and sweeper are wired the same way.
 * The body bucket's client is apart (`bodyStoreFromEnvironment`): the sweeper never touches the bucket, and the S3
 * client would add some 130 KiB to its bundle.
 * @throws InvalidConfigurationError naming the variable or configuration field
 */
export function gatewayDependenciesFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): GatewayDependencies {
  return {
    ...readGatewayEnvironment(env),
    ddb: new DynamoDBClient(boundedClientConfig()),
    sqs: new SQSClient(boundedClientConfig()),
  };
}
