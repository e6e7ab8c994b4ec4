import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { metricCountersSource } from "../../local/metricCounters.ts";
import { OPS_RESOURCES_FORMAT, type OpsResources } from "../../local/opsResources.ts";
import { localBodyS3Client } from "../../local/services/bodyBucket.ts";
import { avoidZeroVisibility } from "../../local/services/zeroVisibility.ts";
import { OperatorUsageError, TargetError } from "../errors.ts";
import { operatorClientConfig } from "./operatorClientLimits.ts";
import type { OperatorTarget } from "./operatorTarget.ts";

/** The local stack's default address (`npm start`). */
export const DEFAULT_LOCAL_URL = "http://127.0.0.1:4000";
/** Who an audit entry names on the local target, where there is no AWS identity. */
export const LOCAL_OPERATOR = "local-operator";
/** Credentials the emulators accept (they check only their shape). */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
/** How long to wait for the local stack to answer `GET /ops/resources`. */
const RESOURCES_TIMEOUT_MS = 5_000;

/**
 * The local stack at `baseUrl`: its `GET /ops/resources` says where DynamoDB Local and fauxqs listen and what the
 * resources are called; the clients are the AWS SDK's own, pointed there.
 * @throws OperatorUsageError for a URL that is not http(s); TargetError when nothing (or something else) answers
 */
export async function localTarget(baseUrl: string, fetchImpl: typeof fetch = fetch): Promise<OperatorTarget> {
  const resources = await fetchResources(baseUrl, fetchImpl);
  const address = { region: resources.region, credentials: LOCAL_CREDENTIALS, ...operatorClientConfig() };
  const ddb = new DynamoDBClient({ ...address, endpoint: resources.endpoints.dynamodb });
  const sqs = new SQSClient({ ...address, endpoint: resources.endpoints.sqs });
  // The CLI gives dead letters back with visibility 0, which fauxqs with a data directory loses.
  avoidZeroVisibility(sqs);
  // fauxqs serves S3 on the same address.
  const s3 = localBodyS3Client(resources.endpoints.sqs);
  return {
    kind: "local",
    label: baseUrl,
    region: resources.region,
    ddb,
    sqs,
    s3,
    resources: {
      eventsTable: resources.eventsTable,
      deliveryQueueUrl: resources.deliveryQueueUrl,
      deadLetterQueueUrl: resources.deadLetterQueueUrl,
      deadLetterQueueArn: resources.deadLetterQueueArn,
      retryScheduleSeconds: resources.retryScheduleSeconds,
      peakEventsPerSecond: resources.peakEventsPerSecond,
      ...(Array.isArray(resources.destinationIds) && { destinationIds: resources.destinationIds }),
    },
    demoConsumer: resources.demoConsumer,
    ...(resources.metricsTable !== undefined && { metrics: metricCountersSource(ddb, resources.metricsTable) }),
    supportsMoveTask: false,
    identity: async () => LOCAL_OPERATOR,
    close() {
      ddb.destroy();
      sqs.destroy();
      s3.destroy();
    },
  };
}

async function fetchResources(baseUrl: string, fetchImpl: typeof fetch): Promise<OpsResources> {
  let url: URL;
  try {
    url = new URL("/ops/resources", baseUrl);
  } catch {
    throw new OperatorUsageError(
      "invalid_local_url",
      `--local ${baseUrl} is not a URL: pass e.g. ${DEFAULT_LOCAL_URL}.`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new OperatorUsageError(
      "invalid_local_url",
      `--local ${baseUrl} is not an http URL: pass e.g. ${DEFAULT_LOCAL_URL}.`,
    );
  }
  let response: Response;
  try {
    response = await fetchImpl(url, { signal: AbortSignal.timeout(RESOURCES_TIMEOUT_MS) });
  } catch (error) {
    throw new TargetError(
      "local_unreachable",
      `Nothing answers at ${baseUrl}: start the local stack with npm start, or pass --local <url> or --stack <name>.`,
      { cause: error },
    );
  }
  const body = (await response.json().catch(() => undefined)) as Partial<OpsResources> | undefined;
  if (!response.ok || body?.format !== OPS_RESOURCES_FORMAT) {
    throw new TargetError(
      "not_a_local_stack",
      `${baseUrl} is not an Oncegate local stack of this version (GET /ops/resources answered ${response.status}): restart it with npm start from this repository.`,
    );
  }
  return body as OpsResources;
}
