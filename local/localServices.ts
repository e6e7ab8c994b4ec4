import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { type FauxqsServer, startFauxqs } from "fauxqs";
import { boundedClientConfig } from "../lambdas/shared/awsClientLimits.ts";
import { type DynamoDbLocal, localCredentials, startDynamoDbLocal } from "./dynamoDbLocal.ts";
import { forgetDynamoDbPid, recordDynamoDbPid, stopLeftoverDynamoDb } from "./pidFiles.ts";
import { ensureLocalBodyBucket, localBodyS3Client } from "./services/bodyBucket.ts";
import { avoidZeroVisibility } from "./services/zeroVisibility.ts";
import { LOCAL_SQS_CREDENTIALS, localSqsClient } from "./sqsQueues.ts";
import type { StackLog } from "./stackLog.ts";

/** The two emulators the stack runs on (fauxqs serving SQS and S3), and clients for them. */
export interface LocalServices {
  dynamoDb: DynamoDbLocal;
  ddb: DynamoDBClient;
  fauxqs: FauxqsServer;
  sqs: SQSClient;
  /**
   * The gateway Lambdas' clients, bounded as in AWS (`boundedClientConfig`): a DynamoDB Local that stops answering
   * fails their calls in seconds, as a hung DynamoDB would in AWS. `ddb` and `sqs` above, unbounded, serve the rest:
   * the demo consumer (like a consumer built with the SDK's defaults), `/stats`, table setup, the worker's long polls.
   * `s3` reaches the body bucket on fauxqs (path-style, bounded like the Lambdas' in AWS: `newBodyS3Client`).
   */
  gateway: { ddb: DynamoDBClient; sqs: SQSClient; s3: S3Client };
  /** The body bucket, created at start (`ENV.bodyBucket`). */
  bodyBucket: string;
  /** Stops both (fauxqs first: nothing writes to DynamoDB once the queue is gone). */
  stop(): Promise<void>;
}

export interface LocalServicesOptions {
  /** Absolute; owned by this stack (`claimDataDir`). */
  dataDir: string;
  /** Keep nothing on disk. */
  inMemory: boolean;
  log: StackLog;
  /** Told about the DynamoDB Local JVM as soon as it exists, so an exit at any moment can kill it. */
  onDynamoDbSpawn?: (child: ChildProcess) => void;
}

/**
 * Starts DynamoDB Local (a child JVM, one shared database for every client, its files in `<dataDir>/dynamodb`)
 * after stopping one a crashed run left behind, then fauxqs in this process (its SQLite in `<dataDir>/sqs`, the
 * body bucket's objects as files in `<dataDir>/s3`: multi-megabyte bodies would bloat the SQLite file).
 */
export async function startLocalServices(options: LocalServicesOptions): Promise<LocalServices> {
  const { dataDir, inMemory, log } = options;
  const leftover = await stopLeftoverDynamoDb(dataDir);
  if (leftover !== undefined) log.progress(`stopped a DynamoDB Local left running by an earlier run (pid ${leftover})`);

  const dbPath = inMemory ? undefined : join(dataDir, "dynamodb");
  if (dbPath !== undefined) mkdirSync(dbPath, { recursive: true });
  const startedMs = performance.now();
  const dynamoDb = await startDynamoDbLocal({
    dbPath,
    sharedDb: true,
    onSpawn: (child) => {
      if (child.pid !== undefined) recordDynamoDbPid(dataDir, child.pid);
      options.onDynamoDbSpawn?.(child);
    },
  });
  const seconds = ((performance.now() - startedMs) / 1000).toFixed(1);
  log.progress(`DynamoDB Local ready on ${dynamoDb.endpoint} (${seconds} s, ${dbPath ?? "in memory"})`);
  const ddbAddress = { endpoint: dynamoDb.endpoint, region: "us-east-1", credentials: localCredentials };
  const ddb = new DynamoDBClient(ddbAddress);

  let fauxqs: FauxqsServer;
  try {
    const sqsDir = inMemory ? undefined : join(dataDir, "sqs");
    const s3Dir = inMemory ? undefined : join(dataDir, "s3");
    for (const dir of [sqsDir, s3Dir]) if (dir !== undefined) mkdirSync(dir, { recursive: true });
    fauxqs = await startFauxqs({
      port: 0,
      logger: false,
      ...(sqsDir === undefined ? {} : { dataDir: sqsDir }),
      ...(s3Dir === undefined ? {} : { s3StorageDir: s3Dir }),
    });
    log.progress(`SQS and S3 emulator (fauxqs) ready on ${fauxqs.address} (${sqsDir ?? "in memory"})`);
  } catch (error) {
    ddb.destroy();
    await dynamoDb.stop();
    forgetDynamoDbPid(dataDir);
    throw error;
  }
  const sqs = localSqsClient(fauxqs.address);
  const bodyBucket = ensureLocalBodyBucket(fauxqs);
  const gateway = {
    s3: localBodyS3Client(fauxqs.address),
    ddb: new DynamoDBClient({ ...ddbAddress, ...boundedClientConfig() }),
    sqs: new SQSClient({
      endpoint: fauxqs.address,
      region: "us-east-1",
      credentials: LOCAL_SQS_CREDENTIALS,
      ...boundedClientConfig(),
    }),
  };
  avoidZeroVisibility(gateway.sqs);
  return {
    dynamoDb,
    ddb,
    fauxqs,
    sqs,
    gateway,
    bodyBucket,
    async stop() {
      gateway.s3.destroy();
      gateway.sqs.destroy();
      sqs.destroy();
      await fauxqs.stop();
      gateway.ddb.destroy();
      ddb.destroy();
      await dynamoDb.stop();
      forgetDynamoDbPid(dataDir);
    },
  };
}
