import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Logger } from "../lambdas/shared/logger.ts";
import type { ConsumerFramework } from "./consumerOptions.ts";
import type { CrashAt } from "./crashPoints.ts";
import { demoBehaviourOf } from "./demoCharge.ts";
import { createExpressDemoConsumer } from "./demoConsumerExpress.ts";
import { demoConsumerLambda } from "./demoConsumerLambda.ts";
import { localCredentials } from "./dynamoDbLocal.ts";
import { type LocalServer, listenHttpFront, listenLocal } from "./httpFront.ts";
import { DEMO_CONSUMER_PATH } from "./localConfig.ts";
import { localSecret } from "./localSecrets.ts";
import { LOCAL_TABLES } from "./stackResources.ts";

/** How to run the demo consumer on its own (see `consumerOptions.ts`). */
export interface StandaloneConsumerOptions {
  port: number;
  /** DynamoDB Local of a running stack: the stack created the demo tables there. */
  dynamoDbEndpoint: string;
  /** What serves it: the Lambda (SDK middleware) or an Express app (`@oncegate/sdk/express`). */
  framework: ConsumerFramework;
  /**
   * Where `ONCEGATE_SIGNING_SECRET`, `ONCEGATE_DEMO_CONSUMER_DELAY_MS` and `ONCEGATE_DEMO_CONSUMER_FAIL` are read, as
   * the stack reads them.
   */
  env: Readonly<Record<string, string | undefined>>;
  /** The crash points `consumer:after-effect` and `consumer:after-commit` (`crashSwitch`). */
  crashAt: CrashAt;
  /** The SDK's per-invocation JSON lines. */
  logger: Logger;
  /** Told about a request that failed inside the consumer (answered 500). */
  onError(error: unknown): void;
}

/** The demo consumer, serving. */
export interface StandaloneConsumer {
  /** `http://127.0.0.1:<port>/consumer/demo`: a value for `ONCEGATE_DESTINATIONS`. */
  url: string;
  /** Stops taking requests, cuts open connections, closes the DynamoDB client. */
  stop(): Promise<void>;
}

/** Thrown when the stack's demo tables cannot be read at the endpoint given. */
export class DemoTablesUnavailableError extends Error {
  constructor(endpoint: string, options: ErrorOptions) {
    super(
      `no demo tables at ${endpoint} (${(options.cause as Error).message}): start the stack (npm start) and pass the DynamoDB Local endpoint its ready message prints`,
      options,
    );
    this.name = "DemoTablesUnavailableError";
  }
}

/**
 * The demo consumer of `localLambdas.ts` (the same handler, signature check and crash points) in a process of its
 * own, serving `POST /consumer/demo` only, so that it can be killed while the stack runs on: as the same Lambda with
 * the SDK's Middy middleware, or as an Express app on `@oncegate/sdk/express`. Its claims, charges and counters go to
 * the stack's tables, so `/stats` counts them as before.
 * @throws PortInUseError, DemoTablesUnavailableError
 */
export async function startStandaloneConsumer(options: StandaloneConsumerOptions): Promise<StandaloneConsumer> {
  const endpoint = options.dynamoDbEndpoint;
  const ddb = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: localCredentials });
  let server: LocalServer;
  try {
    await assertDemoTables(ddb, endpoint);
    const demo = {
      ddb,
      signingSecret: localSecret(options.env, "signing"),
      crashAt: options.crashAt,
      logger: options.logger,
      ...demoBehaviourOf(options.env),
    };
    if (options.framework === "express") {
      server = await listenLocal(options.port, createExpressDemoConsumer({ ...demo, onError: options.onError }));
    } else {
      const front = await listenHttpFront(options.port);
      front.serve({ consumer: demoConsumerLambda(demo), onError: options.onError });
      server = front;
    }
  } catch (error) {
    ddb.destroy();
    throw error;
  }
  return {
    url: `${server.baseUrl}${DEMO_CONSUMER_PATH}`,
    async stop() {
      await server.close();
      ddb.destroy();
    },
  };
}

// Checked once at start, so that a wrong endpoint is one line now rather than a 500 on every delivery later.
async function assertDemoTables(ddb: DynamoDBClient, endpoint: string): Promise<void> {
  const tables = [LOCAL_TABLES.idempotency, LOCAL_TABLES.charges, LOCAL_TABLES.counters];
  try {
    await Promise.all(tables.map((TableName) => ddb.send(new DescribeTableCommand({ TableName }))));
  } catch (error) {
    throw new DemoTablesUnavailableError(endpoint, { cause: error });
  }
}
