import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { maxAttempts } from "../lambdas/delivery/retrySchedule.ts";
import { readEventHistory } from "../lambdas/shared/eventHistory.ts";
import { eventPartitionKey } from "../lambdas/shared/eventKey.ts";
import type { ResolvedGatewayConfig } from "../lambdas/shared/parseGatewayConfig.ts";
import { ConsoleAccess } from "../ops/console/consoleAccess.ts";
import { consoleHandler } from "../ops/console/consoleServer.ts";
import { localTarget } from "../ops/target/localTarget.ts";
import { awsFaultsFromEnvironment, injectAwsFaults } from "./awsFaults.ts";
import { crashAlreadyFired, crashNotice, crashPointFromEnvironment, crashSwitch } from "./crashPoints.ts";
import { DEFAULT_POLLERS, startDeliveryWorker } from "./deliveryWorker.ts";
import { DEMO_CONSUMER_SCOPE, demoBehaviourOf } from "./demoCharge.ts";
import { destinationPaused } from "./destinationPaused.ts";
import { assertJavaInstalled } from "./dynamoDbLocal.ts";
import { eventView } from "./eventView.ts";
import { listenHttpFront } from "./httpFront.ts";
import { checkedConfigFile, localGatewayConfig } from "./localConfig.ts";
import { localConfigFromFile } from "./localConfigFile.ts";
import { integerFromEnvironment, LOCAL_DEFAULTS, LOCAL_ENV } from "./localEnvironment.ts";
import { buildLocalLambdas } from "./localLambdas.ts";
import { startLocalServices } from "./localServices.ts";
import { metricCounterSink } from "./metricCounters.ts";
import { LOCAL_REGION, OPS_RESOURCES_FORMAT } from "./opsResources.ts";
import { claimDataDir } from "./pidFiles.ts";
import type { StackLog } from "./stackLog.ts";
import { type DeliveryQueues, ensureDeliveryQueues, ensureLocalTables, LOCAL_TABLES } from "./stackResources.ts";
import { readStats } from "./stackStats.ts";
import { scheduleSweeps } from "./sweepSchedule.ts";

/** How to start the stack (see `startOptions.ts`). */
export interface LocalStackOptions {
  port: number;
  /** Absolute. */
  dataDir: string;
  inMemory: boolean;
  /** A gateway configuration file in the CDK app's JSON format (`localConfigFromFile`); else the environment's. */
  configFile?: string;
  env: Readonly<Record<string, string | undefined>>;
  log: StackLog;
  /** Told about the DynamoDB Local JVM as soon as it is spawned. */
  onDynamoDbSpawn?: (child: ChildProcess) => void;
}

/** A running stack. */
export interface LocalStack {
  baseUrl: string;
  config: ResolvedGatewayConfig;
  queues: DeliveryQueues;
  sweepIntervalSeconds: number;
  /** DynamoDB Local's endpoint (one shared database): where `npm run consumer` finds the demo tables. */
  dynamoDbEndpoint: string;
  /** Stops everything, in the order that loses nothing: sweeper, worker, front, emulators. */
  stop(): Promise<void>;
}

/**
 * Starts the whole gateway on this machine. The port is bound before anything else, so a second stack on the same
 * port fails without touching the first one's data directory; a crash point name, the configuration and Java are
 * checked before the data directory is claimed.
 * @throws PortInUseError, InvalidConfigurationError, JavaMissingError, DataDirInUseError
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { env, log, dataDir } = options;
  const front = await listenHttpFront(options.port);
  log.progress(`starting on ${front.baseUrl} (state: ${options.inMemory ? "in memory" : dataDir})`);
  const cleanups: (() => unknown)[] = [() => front.close()];
  // Run in reverse order, each once: the front stops taking requests after the worker (which posts to the demo
  // consumer behind it) and before the emulators go.
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const armed = crashPointFromEnvironment(env);
    const address = { baseUrl: front.baseUrl };
    const config =
      options.configFile === undefined
        ? localGatewayConfig(env, address)
        : localConfigFromFile(checkedConfigFile(options.configFile, env), env, address);
    const sweepIntervalSeconds = integerFromEnvironment(
      env,
      LOCAL_ENV.sweepIntervalSeconds,
      LOCAL_DEFAULTS.sweepIntervalSeconds,
    );
    const demoBehaviour = demoBehaviourOf(env);
    assertJavaInstalled();

    mkdirSync(dataDir, { recursive: true });
    cleanups.push(claimDataDir(dataDir));
    if (armed !== undefined) log.progress(crashNotice(armed, crashAlreadyFired(dataDir, armed)));
    const crashAt = crashSwitch(armed, dataDir);
    const services = await startLocalServices({
      dataDir,
      inMemory: options.inMemory,
      log,
      onDynamoDbSpawn: options.onDynamoDbSpawn,
    });
    cleanups.push(
      () => services.stop(),
      () => front.close(),
    );

    // Faults go into the gateway Lambdas' clients only: the harness's own reads and the demo consumer see none.
    const faultOptions = awsFaultsFromEnvironment(env);
    const awsFaults =
      faultOptions === undefined
        ? undefined
        : {
            dynamodb: injectAwsFaults(services.gateway.ddb, faultOptions),
            sqs: injectAwsFaults(services.gateway.sqs, { ...faultOptions, seed: faultOptions.seed + 1 }),
            s3: injectAwsFaults(services.gateway.s3, { ...faultOptions, seed: faultOptions.seed + 2 }),
          };
    if (faultOptions !== undefined) {
      log.progress(`AWS faults injected into the gateway's calls: ${JSON.stringify(faultOptions)}`);
    }
    await ensureLocalTables(services.ddb);
    log.progress(`tables ready: ${Object.values(LOCAL_TABLES).join(", ")}`);
    const queues = await ensureDeliveryQueues(
      services.sqs,
      services.fauxqs.address,
      config.retryScheduleSeconds,
      config.destinations,
    );
    const queueNames = [...queues.byDestination.values()].map(
      (q) => `${q.queueName} (visibility ${q.visibilityTimeoutSeconds} s)`,
    );
    log.progress(
      `queues ready: ${queueNames.join(", ") || "none (no destination)"}, dead letters to ${queues.dlqName} after ${queues.maxReceiveCount} receives`,
    );

    // Metric counts: the Lambdas' EMF lines would reach no CloudWatch here; a table of per-minute sums stands in.
    const metricCounts = metricCounterSink(services.ddb, LOCAL_TABLES.metrics, {
      onError: (error) => log.problem(`metric counts not written yet: ${(error as Error).message}`),
    });
    cleanups.push(() => metricCounts.stop());
    const lambdas = await buildLocalLambdas({
      countMetric: metricCounts.count,
      env,
      config,
      queueUrl: queues.queueUrlTemplate,
      deadLetterQueueUrl: queues.dlqUrl,
      maxReceiveCount: queues.maxReceiveCount,
      services,
      crashAt,
      log,
      consumerDelayMs: demoBehaviour.delayMs,
      consumerFailEventIds: demoBehaviour.failEventIds,
    });
    const destinationUrls = new Map(config.destinations.map(({ id, url }) => [id, url]));
    const viewContext = { destinationUrls, maxAttempts: maxAttempts(config.retryScheduleSeconds) };
    const events = { client: services.ddb, tableName: LOCAL_TABLES.events };
    let operatorConsole: ReturnType<typeof consoleHandler> | undefined;
    front.serve({
      intake: lambdas.intake,
      maxIntakeBodyBytes: config.maxBodyBytes,
      consumer: lambdas.consumer,
      stats: async () => ({
        ...(await readStats({ ddb: services.ddb, sqsServer: services.fauxqs, dlqName: queues.dlqName })),
        ...(awsFaults !== undefined && { awsFaults }),
      }),
      async event(provider, eventId) {
        let pk: string;
        try {
          pk = eventPartitionKey(provider, eventId);
        } catch {
          return undefined;
        }
        const history = await readEventHistory(events, pk);
        return history === undefined ? undefined : eventView(history, viewContext);
      },
      opsResources: () => ({
        format: OPS_RESOURCES_FORMAT,
        region: LOCAL_REGION,
        endpoints: { dynamodb: services.dynamoDb.endpoint, sqs: services.fauxqs.address },
        eventsTable: LOCAL_TABLES.events,
        deliveryQueueUrl: queues.queueUrlTemplate,
        deadLetterQueueUrl: queues.dlqUrl,
        deadLetterQueueArn: queues.dlqArn,
        retryScheduleSeconds: [...config.retryScheduleSeconds],
        peakEventsPerSecond: config.peakEventsPerSecond,
        destinationIds: config.destinations.map(({ id }) => id),
        demoConsumer: { idempotencyTable: LOCAL_TABLES.idempotency, scope: DEMO_CONSUMER_SCOPE },
        metricsTable: LOCAL_TABLES.metrics,
      }),
      // The operator console on the same port, over the same operator library as `npx oncegate console`: its
      // target is built once the front answers `GET /ops/resources` (below).
      console: (request, response) => {
        if (operatorConsole !== undefined) return operatorConsole(request, response);
        response.writeHead(503, { "content-type": "application/json" });
        response.end(
          JSON.stringify({ error: "console_starting", message: "The console starts with the stack: retry." }),
        );
        return Promise.resolve();
      },
      onError: (error) => log.problem(`request failed: ${(error as Error).stack ?? String(error)}`),
    });
    const consoleTarget = await localTarget(front.baseUrl);
    cleanups.push(() => consoleTarget.close());
    const access = new ConsoleAccess();
    operatorConsole = consoleHandler(consoleTarget, { basePath: "/console", access, nowMs: Date.now });
    // One browser signs in with it, once; `npx oncegate console --local` serves another console any time.
    log.progress(`console: ${front.baseUrl}/console?token=${access.firstToken}`);
    // Started once the front serves: a worker's first POST may be to the demo consumer behind it. One worker per
    // destination, on its own queue, as each destination has its own event source on AWS: a slow destination holds
    // its own pollers only, as many as its maxConcurrency (the event source's), and none while it is paused (its
    // mapping disabled). The pause is read with the stack's own client, which no injected fault reaches.
    const maxConcurrency = new Map(config.destinations.map(({ id, maxConcurrency }) => [id, maxConcurrency]));
    for (const [destination, queue] of queues.byDestination) {
      const worker = startDeliveryWorker({
        sqs: services.sqs,
        queueUrl: queue.queueUrl,
        handler: lambdas.delivery,
        pollers: maxConcurrency.get(destination) ?? DEFAULT_POLLERS,
        paused: destinationPaused(events, destination),
        onError: (error) => log.problem(`delivery poll of ${destination} failed: ${(error as Error).message}`),
      });
      cleanups.push(() => worker.stop());
    }
    const sweeps = scheduleSweeps(lambdas.sweeper, sweepIntervalSeconds, (error) =>
      log.problem(`sweeper run failed: ${(error as Error).message}`),
    );
    cleanups.push(() => sweeps.stop());

    const dynamoDbEndpoint = services.dynamoDb.endpoint;
    return { baseUrl: front.baseUrl, config, queues, sweepIntervalSeconds, dynamoDbEndpoint, stop: cleanUp };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
