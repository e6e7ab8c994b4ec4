import { randomUUID } from "node:crypto";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { localCredentials } from "../../local/dynamoDbLocal.ts";
import { ensureIdempotencyTable } from "../../sdk/tableSetup.ts";
import type { Contender } from "../interleavedRounds.ts";
import { lambdaContext } from "../lambdaContext.ts";
import { countRequests, type RequestCounter } from "../requestCounter.ts";
import { consumerBody, consumerEvent, HANDLER_RESPONSE, KEY_HEADER } from "./consumerEvent.ts";
import {
  type ConsumerHandler,
  floorConsumer,
  makeIdempotentConsumer,
  oursConsumer,
  powertoolsConsumer,
  trivialHandler,
} from "./consumers.ts";
import { httpClient } from "./httpPost.ts";
import { ROUTE, SERVERS } from "./serverConsumers.ts";

/**
 * The contenders, in the order each round runs them (rotating): each server adapter right beside its floor. `ours`
 * is the Middy middleware; the Lambda ones and `makeIdempotent` are called in-process, the servers over HTTP.
 */
export const CONSUMER_NAMES = [
  "ours",
  "powertools",
  "floor",
  "makeIdempotent",
  "express",
  "express-floor",
  "fastify",
  "fastify-floor",
  "web",
  "web-floor",
] as const;
export type ConsumerName = (typeof CONSUMER_NAMES)[number];

/** What a consumer answered; every contender must answer (or replay) the trivial handler's status and body. */
interface Answer {
  statusCode: number;
  body: string;
}

/** One delivery of a key: built untimed, sent (and timed) when called. */
type Delivery = () => Promise<Answer | undefined>;

/** One consumer under test: its own client (so its requests are counted apart) and its own table. */
export interface ConsumerUnderTest {
  name: ConsumerName;
  client: DynamoDBClient;
  counter: RequestCounter;
  deliveryOf(key: string): Delivery;
  /** How many times the trivial handler really ran. */
  handlerRuns(): number;
  /** Keys whose first invocation answered the handler's response: the duplicates replay them. */
  completedKeys: string[];
  /** Answers that were not what they must be (the run fails if any). */
  wrongAnswers: string[];
  /** Stops its server and closes its connections (nothing for in-process contenders). */
  close(): Promise<void>;
}

const MEMORY_MB = 256;

interface Transport {
  deliveryOf(key: string): Delivery;
  close(): Promise<void>;
}

/** A Lambda handler, invoked in-process with the HTTP API event the gateway's delivery would send. */
function inProcess(handler: ConsumerHandler): Transport {
  return {
    deliveryOf(key) {
      const event = consumerEvent(key);
      const context = lambdaContext("bench-consumer", MEMORY_MB);
      return () => handler(event, context);
    },
    close: async () => {},
  };
}

type Build = (client: DynamoDBClient, tableName: string, handler: () => Promise<unknown>) => Promise<Transport>;

const LAMBDA_BUILDERS = { ours: oursConsumer, powertools: powertoolsConsumer, floor: floorConsumer };

function builderOf(name: ConsumerName, maxSockets: number): Build {
  if (name === "ours" || name === "powertools" || name === "floor") {
    const build = LAMBDA_BUILDERS[name];
    return async (client, tableName, handler) => inProcess(build(client, tableName, handler));
  }
  if (name === "makeIdempotent") {
    return async (client, tableName, handler) => {
      const fn = makeIdempotentConsumer(client, tableName, handler);
      return {
        deliveryOf(key) {
          const webhook = JSON.parse(consumerBody(key)) as { id: string };
          return () => fn(webhook);
        },
        close: async () => {},
      };
    };
  }
  const buildServer = SERVERS[name];
  return async (client, tableName, handler) => {
    const server = await buildServer(client, tableName, handler);
    const http = httpClient(server.origin, maxSockets);
    return {
      deliveryOf(key) {
        const headers = { "content-type": "application/json", [KEY_HEADER]: key };
        const body = consumerBody(key);
        return () => http.post(ROUTE, headers, body);
      },
      async close() {
        http.close();
        await server.close();
      },
    };
  };
}

/**
 * Creates each consumer's table on the DynamoDB at `endpoint`, builds the consumers and starts the servers (their
 * HTTP clients keep up to `maxSockets` connections each).
 */
export async function buildConsumers(endpoint: string, maxSockets: number): Promise<ConsumerUnderTest[]> {
  return Promise.all(
    CONSUMER_NAMES.map(async (name) => {
      const client = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: localCredentials });
      const tableName = `bench-${name}-${randomUUID().slice(0, 8)}`;
      await ensureIdempotencyTable(client, tableName);
      // Counting starts after the table exists: only the consumer's own calls count.
      const counter = countRequests(client);
      const { handler, runs } = trivialHandler();
      const transport = await builderOf(name, maxSockets)(client, tableName, handler);
      return {
        name,
        client,
        counter,
        deliveryOf: transport.deliveryOf,
        close: transport.close,
        handlerRuns: runs,
        completedKeys: [],
        wrongAnswers: [],
      };
    }),
  );
}

interface Invocation {
  key: string;
  send: Delivery;
}

const isHandlerAnswer = (answer: Answer | undefined) =>
  answer?.statusCode === HANDLER_RESPONSE.statusCode && answer.body === HANDLER_RESPONSE.body;

/** Invocations with keys never seen before: claim, run the handler, complete. */
export function firstTimeKeys(consumer: ConsumerUnderTest): Contender<Invocation> {
  return {
    name: consumer.name,
    prepare() {
      const key = `${consumer.name}-${randomUUID()}`;
      return { key, send: consumer.deliveryOf(key) };
    },
    async invoke({ key, send }) {
      const answer = await send();
      if (isHandlerAnswer(answer)) consumer.completedKeys.push(key);
      else consumer.wrongAnswers.push(`first-time ${key}: ${JSON.stringify(answer)}`);
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
      return { key, send: consumer.deliveryOf(key) };
    },
    async invoke({ key, send }) {
      const answer = await send();
      if (!isHandlerAnswer(answer)) consumer.wrongAnswers.push(`duplicate ${key}: ${JSON.stringify(answer)}`);
    },
  };
}
