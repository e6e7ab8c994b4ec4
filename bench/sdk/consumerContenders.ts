import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { localCredentials } from "../../local/dynamoDbLocal.ts";
import { ensureIdempotencyTable } from "../../sdk/tableSetup.ts";
import type { Contender } from "../interleavedRounds.ts";
import { lambdaContext } from "../lambdaContext.ts";
import { countRequests, type RequestCounter } from "../requestCounter.ts";
import { consumerEvent, HANDLER_RESPONSE } from "./consumerEvent.ts";
import { type ConsumerHandler, floorConsumer, oursConsumer, powertoolsConsumer, trivialHandler } from "./consumers.ts";

export const CONSUMER_NAMES = ["ours", "powertools", "floor"] as const;
export type ConsumerName = (typeof CONSUMER_NAMES)[number];

/** One consumer under test: its own client (so its requests are counted apart) and its own table. */
export interface ConsumerUnderTest {
  name: ConsumerName;
  client: DynamoDBClient;
  counter: RequestCounter;
  handler: ConsumerHandler;
  /** How many times the trivial handler really ran. */
  handlerRuns(): number;
  /** Keys whose first invocation answered the handler's response: the duplicates replay them. */
  completedKeys: string[];
  /** Answers that were not what they must be (the run fails if any). */
  wrongAnswers: string[];
}

const BUILDERS = { ours: oursConsumer, powertools: powertoolsConsumer, floor: floorConsumer };

/** Creates each consumer's table on the DynamoDB at `endpoint` and builds the three consumers. */
export async function buildConsumers(endpoint: string): Promise<ConsumerUnderTest[]> {
  return Promise.all(
    CONSUMER_NAMES.map(async (name) => {
      const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: localCredentials });
      const tableName = `bench-${name}-${randomUUID().slice(0, 8)}`;
      await ensureIdempotencyTable(client, tableName);
      // Counting starts after the table exists: only the consumer's own calls count.
      const counter = countRequests(client);
      const { handler, runs } = trivialHandler();
      return {
        name,
        client,
        counter,
        handler: BUILDERS[name](client, tableName, handler),
        handlerRuns: runs,
        completedKeys: [],
        wrongAnswers: [],
      };
    }),
  );
}

interface Invocation {
  key: string;
  event: APIGatewayProxyEventV2;
  context: Context;
}

const MEMORY_MB = 256;

/** Invocations with keys never seen before: claim, run the handler, complete. */
export function firstTimeKeys(consumer: ConsumerUnderTest): Contender<Invocation> {
  return {
    name: consumer.name,
    prepare() {
      const key = `${consumer.name}-${randomUUID()}`;
      return { key, event: consumerEvent(key), context: lambdaContext("bench-consumer", MEMORY_MB) };
    },
    async invoke({ key, event, context }) {
      const response = await consumer.handler(event, context);
      if (response?.statusCode === 200 && response.body === HANDLER_RESPONSE.body) consumer.completedKeys.push(key);
      else consumer.wrongAnswers.push(`first-time ${key}: ${JSON.stringify(response)}`);
    },
  };
}

/** Invocations that replay a completed key (same payload): the stored response comes back, the handler never runs. */
export function duplicateKeys(consumer: ConsumerUnderTest): Contender<Invocation> {
  let replayed = 0;
  return {
    name: consumer.name,
    prepare() {
      const key = consumer.completedKeys[replayed++];
      if (key === undefined) throw new Error(`${consumer.name}: no completed key left to replay`);
      return { key, event: consumerEvent(key), context: lambdaContext("bench-consumer", MEMORY_MB) };
    },
    async invoke({ key, event, context }) {
      const response = await consumer.handler(event, context);
      if (response?.statusCode !== 200 || response.body !== HANDLER_RESPONSE.body) {
        consumer.wrongAnswers.push(`duplicate ${key}: ${JSON.stringify(response)}`);
      }
    },
  };
}
