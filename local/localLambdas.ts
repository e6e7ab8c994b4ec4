import type { DeliveryHandler } from "../lambdas/delivery/deliveryHandler.ts";
import { deliveryHandlerFromEnvironment } from "../lambdas/delivery/handler.ts";
import { type IntakeHandler, intakeHandlerFromEnvironment } from "../lambdas/intake/handler.ts";
import { ENV } from "../lambdas/shared/environment.ts";
import type { MetricCounter } from "../lambdas/shared/metrics.ts";
import type { ResolvedGatewayConfig } from "../lambdas/shared/parseGatewayConfig.ts";
import { type Sweeper, sweeperFromEnvironment } from "../lambdas/sweeper/handler.ts";
import type { CrashAt } from "./crashPoints.ts";
import { demoConsumerLambda, type FunctionUrlLambda } from "./demoConsumerLambda.ts";
import { localSecret, localSecretsEnvironment } from "./localSecrets.ts";
import type { LocalServices } from "./localServices.ts";
import type { StackLog } from "./stackLog.ts";
import { LOCAL_TABLES } from "./stackResources.ts";

/** The gateway's three Lambdas and the demo consumer, as the local stack invokes them. */
export interface LocalLambdas {
  intake: IntakeHandler;
  delivery: DeliveryHandler;
  sweeper: Sweeper;
  /** Invoked with a Function URL event and a fresh Lambda context. */
  consumer: FunctionUrlLambda;
}

export interface LocalLambdasOptions {
  env: Readonly<Record<string, string | undefined>>;
  config: ResolvedGatewayConfig;
  queueUrl: string;
  /** The job queues' dead-letter queue (one shared locally; a template on AWS): the sweeper's dead-letter pass reads it. */
  deadLetterQueueUrl: string;
  /** The local queue's backstop (`LOCAL_RECEIVE_LIMIT`): the delivery marks a job dead_lettered on that receive. */
  maxReceiveCount: number;
  services: Pick<LocalServices, "ddb" | "sqs" | "gateway" | "bodyBucket">;
  crashAt: CrashAt;
  log: StackLog;
  /** How long the demo consumer's handler takes (`ONCEGATE_DEMO_CONSUMER_DELAY_MS`, validated by the caller). */
  consumerDelayMs: number;
  /** Event ids whose first demo consumer run throws (`ONCEGATE_DEMO_CONSUMER_FAIL`). */
  consumerFailEventIds?: ReadonlySet<string>;
  /** Where the intake and the delivery count their metrics (on AWS, EMF lines to CloudWatch). */
  countMetric?: MetricCounter;
}

/**
 * Builds the real Lambdas the way they build themselves in AWS: from their environment (`ONCEGATE_CONFIG`, table,
 * queue URL, secrets referenced by name), with the local clients, loggers and crash points put in.
 */
export async function buildLocalLambdas(options: LocalLambdasOptions): Promise<LocalLambdas> {
  const { env, config, services, crashAt, log } = options;
  const lambdaEnv = {
    ...env,
    ...localSecretsEnvironment(env),
    [ENV.config]: JSON.stringify(config),
    [ENV.eventsTable]: LOCAL_TABLES.events,
    [ENV.deliveryQueueUrl]: options.queueUrl,
    [ENV.bodyBucket]: services.bodyBucket,
  };
  const clients = services.gateway;
  const intake = intakeHandlerFromEnvironment(lambdaEnv, {
    ...clients,
    logger: log.lambda("intake"),
    ...(options.countMetric !== undefined && { countMetric: options.countMetric }),
    faults: {
      afterBodyUpload: () => crashAt("intake:after-body-upload"),
      afterStatePut: () => crashAt("intake:after-state-put"),
      afterPut: () => crashAt("intake:after-put"),
      afterEnqueue: () => crashAt("intake:after-enqueue"),
    },
  });
  const delivery = await deliveryHandlerFromEnvironment(lambdaEnv, {
    ...clients,
    maxReceiveCount: options.maxReceiveCount,
    logger: log.lambda("delivery"),
    ...(options.countMetric !== undefined && { countMetric: options.countMetric }),
    faults: { afterPost: () => crashAt("delivery:after-post") },
  });
  const sweeperEnv = { ...lambdaEnv, [ENV.deadLetterQueueUrl]: options.deadLetterQueueUrl };
  const sweeper = sweeperFromEnvironment(sweeperEnv, { ...clients, logger: log.lambda("sweeper") });
  const consumer = demoConsumerLambda({
    ddb: services.ddb,
    signingSecret: localSecret(env, "signing"),
    crashAt,
    logger: log.lambda("consumer"),
    delayMs: options.consumerDelayMs,
    failEventIds: options.consumerFailEventIds,
  });
  return { intake, delivery, sweeper, consumer };
}
