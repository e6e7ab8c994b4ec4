import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { S3Client } from "@aws-sdk/client-s3";
import { readBody } from "../../lambdas/delivery/deliveryStore.ts";
import { createIntakeHandler, type IntakeHandler, type IntakeHandlerOptions } from "../../lambdas/intake/handler.ts";
import type { Clock } from "../../lambdas/shared/clock.ts";
import type { DeliveryJob, EventState } from "../../lambdas/shared/eventRecord.ts";
import { readEvent } from "../../lambdas/shared/eventStore.ts";
import { ensureEventsTable } from "../../lambdas/shared/eventsTable.ts";
import type { GatewayConfig } from "../../lambdas/shared/gatewayConfig.ts";
import { parseGatewayConfig, type ResolvedGatewayConfig } from "../../lambdas/shared/parseGatewayConfig.ts";
import { createSecretResolver } from "../../lambdas/shared/secrets.ts";
import { ensureLocalBodyBucket, localBodyS3Client } from "../../local/services/bodyBucket.ts";
import { deleteTable, localClient, scanAll } from "./dynamoDbTables.ts";
import {
  createQueueWithDlq,
  type LocalSqs,
  messageCount,
  type QueueWithDlq,
  receiveAllBodies,
  startLocalSqs,
} from "./fauxqs.ts";
import {
  allProvidersConfig,
  credentialsEnvironment,
  newProviderCredentials,
  type ProviderCredentials,
} from "./gatewayFixtures.ts";

/** A clock the test moves by hand. */
export interface TestClock extends Clock {
  advance(ms: number): void;
}

export function testClock(startMs: number): TestClock {
  let now = startMs;
  return {
    nowMs: () => now,
    advance(ms) {
      now += ms;
    },
  };
}

/**
 * Everything an intake (or sweeper) test needs: DynamoDB Local with a fresh events table (its indexes and TTL),
 * fauxqs with a delivery queue and its DLQ, fresh provider credentials in a private environment, the
 * {@link allProvidersConfig} configuration, a hand-moved clock and the collected log lines.
 */
export interface IntakeHarness {
  ddb: DynamoDBClient;
  eventsTable: string;
  local: LocalSqs;
  /** fauxqs's S3, with the body bucket created. */
  s3: S3Client;
  bodyBucket: string;
  queue: QueueWithDlq;
  credentials: ProviderCredentials;
  env: Record<string, string>;
  config: ResolvedGatewayConfig;
  clock: TestClock;
  logs: Record<string, unknown>[];
  /** An intake handler on the harness; `overrides` replace any option (clients, faults…). */
  intake(overrides?: Partial<IntakeHandlerOptions>): IntakeHandler;
  /** Every stored event's state item. */
  items(): Promise<EventState[]>;
  /** Every item of the table: states, bodies, attempts, replay markers. */
  allItems(): Promise<Record<string, unknown>[]>;
  item(pk: string): Promise<EventState | undefined>;
  /** The signed bytes stored for the event, or undefined when it has no body item. */
  body(pk: string): Promise<Uint8Array | undefined>;
  /** Receives and deletes every job on the delivery queue. */
  takeJobs(): Promise<DeliveryJob[]>;
  /** Jobs on the delivery queue, visible or not, without receiving them. */
  jobCount(): number;
  stop(): Promise<void>;
}

export async function startIntakeHarness(configOverrides: Partial<GatewayConfig> = {}): Promise<IntakeHarness> {
  const ddb = localClient();
  const eventsTable = `events-${randomUUID().slice(0, 8)}`;
  await ensureEventsTable(ddb, eventsTable);
  const local = await startLocalSqs();
  const queue = await createQueueWithDlq(local.sqs, { prefix: "delivery" });
  const credentials = newProviderCredentials();
  const env = credentialsEnvironment(credentials);
  const config = parseGatewayConfig(allProvidersConfig(configOverrides));
  const clock = testClock(Date.now());
  const logs: Record<string, unknown>[] = [];
  const secrets = createSecretResolver({ env });
  const events = { client: ddb, tableName: eventsTable };
  const s3 = localBodyS3Client(local.server.address);
  const bodyBucket = ensureLocalBodyBucket(local.server);
  return {
    s3,
    bodyBucket,
    ddb,
    eventsTable,
    local,
    queue,
    credentials,
    env,
    config,
    clock,
    logs,
    intake: (overrides = {}) =>
      createIntakeHandler({
        config,
        secrets,
        ddb,
        sqs: local.sqs,
        s3,
        bodyBucket,
        eventsTable,
        queueUrl: queue.queueUrl,
        clock,
        logger: (line) => logs.push(line),
        ...overrides,
      }),
    items: async () =>
      (await scanAll(ddb, eventsTable)).filter((item) => item.sk === "state") as unknown as EventState[],
    allItems: () => scanAll(ddb, eventsTable),
    item: (pk) => readEvent(events, pk),
    body: (pk) => readBody(events, pk),
    takeJobs: () => receiveAllBodies<DeliveryJob>(local.sqs, queue.queueUrl),
    jobCount: () => messageCount(local.server, queue.queueName),
    async stop() {
      s3.destroy();
      await local.stop();
      await deleteTable(ddb, eventsTable);
      ddb.destroy();
    },
  };
}
