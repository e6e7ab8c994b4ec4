import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { createIntakeHandler } from "../../lambdas/intake/handler.ts";
import { ensureEventsTable } from "../../lambdas/shared/eventsTable.ts";
import type { Logger } from "../../lambdas/shared/logger.ts";
import { parseGatewayConfig, type ResolvedGatewayConfig } from "../../lambdas/shared/parseGatewayConfig.ts";
import { createSecretResolver } from "../../lambdas/shared/secrets.ts";
import { localCredentials } from "../../local/dynamoDbLocal.ts";
import { localBodyBucketAt } from "../../local/services/bodyBucket.ts";
import { ensureQueueWithDlq, localSqsClient } from "../../local/sqsQueues.ts";
import type { Contender } from "../interleavedRounds.ts";
import { countRequests, type RequestCounter } from "../requestCounter.ts";
import { intakeFloor } from "./intakeFloor.ts";
import { newStripeSecret, PROVIDER, stripeDelivery, stripeEventBody } from "./stripeEvents.ts";

export const INTAKE_NAMES = ["intake", "floor"] as const;
export type IntakeName = (typeof INTAKE_NAMES)[number];

/** The one destination every event fans out to: one job per accepted event. */
export const DESTINATION_ID = "primary";

/** Secrets and configuration shared by every intake the benchmark builds. */
export interface IntakeSetup {
  stripeSecret: string;
  signingSecret: string;
  env: Record<string, string>;
  config: ResolvedGatewayConfig;
  bodyBytes: number;
}

export function intakeSetup(bodyBytes: number): IntakeSetup {
  const stripeSecret = newStripeSecret();
  const signingSecret = newStripeSecret();
  const env = { BENCH_STRIPE_SECRET: stripeSecret, BENCH_SIGNING_SECRET: signingSecret };
  const config = parseGatewayConfig({
    providers: { [PROVIDER]: { scheme: "stripe", secrets: [{ env: "BENCH_STRIPE_SECRET" }] } },
    destinations: [
      {
        id: DESTINATION_ID,
        url: "https://consumer.example.com/webhooks/orders",
        signingSecrets: [{ env: "BENCH_SIGNING_SECRET" }],
      },
    ],
  });
  return { stripeSecret, signingSecret, env, config, bodyBytes };
}

/** One intake under test, with its own clients (counted apart), events table and queue. */
export interface IntakeUnderTest {
  name: IntakeName;
  ddb: DynamoDBClient;
  sqs: SQSClient;
  ddbCounter: RequestCounter;
  sqsCounter: RequestCounter;
  eventsTable: string;
  queueName: string;
  queueUrl: string;
  accept(eventId: string, event: APIGatewayProxyEventV2): Promise<{ statusCode: number }>;
  /** Event ids answered 202: the duplicates replay them. */
  acceptedIds: string[];
  wrongAnswers: string[];
}

/** Builds an intake (the real handler, or its floor) on fresh resources of the emulators at these endpoints. */
export async function buildIntake(
  name: IntakeName,
  setup: IntakeSetup,
  endpoints: { dynamoDb: string; sqs: string },
  options: { ddb?: DynamoDBClient; logger?: Logger } = {},
): Promise<IntakeUnderTest> {
  const ddb =
    options.ddb ??
    new DynamoDBClient({ endpoint: endpoints.dynamoDb, region: "us-east-1", credentials: localCredentials });
  const sqs = localSqsClient(endpoints.sqs);
  const suffix = randomUUID().slice(0, 8);
  const eventsTable = `bench-events-${name}-${suffix}`;
  await ensureEventsTable(ddb, eventsTable);
  const queue = await ensureQueueWithDlq(sqs, {
    queueName: `bench-delivery-${name}-${suffix}`,
    maxReceiveCount: 8,
    visibilityTimeoutSeconds: 30,
    endpoint: endpoints.sqs,
  });
  const ddbCounter = countRequests(ddb);
  const sqsCounter = countRequests(sqs);
  const targets = { ddb, sqs, eventsTable, queueUrl: queue.queueUrl };
  let accept: IntakeUnderTest["accept"];
  if (name === "floor") accept = intakeFloor({ ...targets, destinationId: DESTINATION_ID });
  else {
    // The log line is built as in production, not written: it would drown the tables.
    const handler = createIntakeHandler({
      ...targets,
      ...(await localBodyBucketAt(endpoints.sqs)),
      config: setup.config,
      secrets: createSecretResolver({ env: setup.env }),
      logger: options.logger ?? (() => {}),
    });
    accept = (_eventId, event) => handler(event);
  }
  return {
    name,
    ...targets,
    ddbCounter,
    sqsCounter,
    queueName: queue.queueName,
    accept,
    acceptedIds: [],
    wrongAnswers: [],
  };
}

interface Delivery {
  eventId: string;
  event: APIGatewayProxyEventV2;
}

/** Deliveries of events never seen before: each must be answered 202. */
export function firstDeliveries(intake: IntakeUnderTest, setup: IntakeSetup): Contender<Delivery> {
  return {
    name: intake.name,
    prepare() {
      const eventId = `evt_${randomUUID().replaceAll("-", "")}`;
      return { eventId, event: stripeDelivery(setup.stripeSecret, eventId, stripeEventBody(eventId, setup.bodyBytes)) };
    },
    async invoke({ eventId, event }) {
      const answer = await intake.accept(eventId, event);
      if (answer.statusCode === 202) intake.acceptedIds.push(eventId);
      else intake.wrongAnswers.push(`first delivery of ${eventId}: ${JSON.stringify(answer)}`);
    },
  };
}

/** A provider's retry of an accepted event (same body, new signature): each must be answered 200. */
export function retriedDeliveries(intake: IntakeUnderTest, setup: IntakeSetup): Contender<Delivery> {
  let replayed = 0;
  return {
    name: intake.name,
    prepare() {
      const eventId = intake.acceptedIds[replayed++];
      if (eventId === undefined) throw new Error(`${intake.name}: no accepted event left to send again`);
      return { eventId, event: stripeDelivery(setup.stripeSecret, eventId, stripeEventBody(eventId, setup.bodyBytes)) };
    },
    async invoke({ eventId, event }) {
      const answer = await intake.accept(eventId, event);
      if (answer.statusCode !== 200) intake.wrongAnswers.push(`duplicate of ${eventId}: ${JSON.stringify(answer)}`);
    },
  };
}
