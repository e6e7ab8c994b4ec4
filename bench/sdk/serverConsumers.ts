import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { serve } from "@hono/node-server";
import express, { type Response as ExpressResponse } from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { idempotent as expressIdempotent, keepRawBody } from "../../sdk/express.ts";
import { idempotent as fastifyIdempotent, oncegate } from "../../sdk/fastify.ts";
import { idempotent as webIdempotent } from "../../sdk/web.ts";
import { type HANDLER_RESPONSE, KEY_HEADER } from "./consumerEvent.ts";
import { floorOnce, SCOPE } from "./consumers.ts";

/**
 * The benchmark's consumers as HTTP servers on 127.0.0.1, one per framework with our adapter and one without it
 * (the framework's floor: its own body parser and the floor's raw DynamoDB calls around the same handler). Each
 * route answers what the trivial handler returns; every server keeps connections open between rounds.
 */

export const ROUTE = "/webhooks/orders";

export interface ServerUnderTest {
  origin: string;
  close(): Promise<void>;
}

type Handler = () => Promise<unknown>;
type Answer = typeof HANDLER_RESPONSE;
export type BuildServer = (client: DynamoDBClient, tableName: string, handler: Handler) => Promise<ServerUnderTest>;

// Longer than any pause between two rounds of one contender, so no timed request opens a connection.
const KEEP_ALIVE_MS = 120_000;

const sdkOptions = (client: DynamoDBClient, tableName: string) => ({
  tableName,
  client,
  scope: SCOPE,
  logger: () => {},
});

async function listening(server: Server): Promise<ServerUnderTest> {
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  if (!server.listening) await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function sendExpress(res: ExpressResponse, answer: Answer): void {
  res.status(answer.statusCode).set(answer.headers).send(answer.body);
}

function asResponse(answer: Answer): Response {
  return new Response(answer.body, { status: answer.statusCode, headers: answer.headers });
}

const expressServer: BuildServer = async (client, tableName, handler) => {
  const app = express();
  app.use(express.json({ verify: keepRawBody }));
  app.post(
    ROUTE,
    expressIdempotent(async ({ res }) => sendExpress(res, (await handler()) as Answer), sdkOptions(client, tableName)),
  );
  return listening(app.listen(0, "127.0.0.1"));
};

const expressFloor: BuildServer = async (client, tableName, handler) => {
  const app = express();
  app.use(express.json());
  app.post(ROUTE, async (req, res) => {
    sendExpress(res, await floorOnce(client, tableName, String(req.headers[KEY_HEADER]), handler));
  });
  return listening(app.listen(0, "127.0.0.1"));
};

async function fastifyListening(app: ReturnType<typeof Fastify>): Promise<ServerUnderTest> {
  const origin = await app.listen({ port: 0, host: "127.0.0.1" });
  return { origin, close: () => app.close() };
}

const fastifyServer: BuildServer = async (client, tableName, handler) => {
  const app = Fastify({ keepAliveTimeout: KEEP_ALIVE_MS });
  await app.register(oncegate);
  app.post(
    ROUTE,
    fastifyIdempotent(
      async ({ reply }) => {
        const answer = (await handler()) as Answer;
        reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
      },
      sdkOptions(client, tableName),
    ),
  );
  return fastifyListening(app);
};

const fastifyFloor: BuildServer = async (client, tableName, handler) => {
  const app = Fastify({ keepAliveTimeout: KEEP_ALIVE_MS });
  app.post(ROUTE, async (request, reply) => {
    const answer = await floorOnce(client, tableName, String(request.headers[KEY_HEADER]), handler);
    return reply.code(answer.statusCode).headers(answer.headers).send(answer.body);
  });
  return fastifyListening(app);
};

function honoListening(app: Hono): Promise<ServerUnderTest> {
  return listening(serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }) as Server);
}

const webServer: BuildServer = async (client, tableName, handler) => {
  const app = new Hono();
  const handle = webIdempotent(async () => asResponse((await handler()) as Answer), sdkOptions(client, tableName));
  app.post(ROUTE, (c) => handle(c.req.raw));
  return honoListening(app);
};

const webFloor: BuildServer = async (client, tableName, handler) => {
  const app = new Hono();
  app.post(ROUTE, async (c) => {
    await c.req.json();
    return asResponse(await floorOnce(client, tableName, c.req.header(KEY_HEADER) ?? "", handler));
  });
  return honoListening(app);
};

/** Each server contender, by its name in the benchmark. */
export const SERVERS = {
  express: expressServer,
  "express-floor": expressFloor,
  fastify: fastifyServer,
  "fastify-floor": fastifyFloor,
  web: webServer,
  "web-floor": webFloor,
} satisfies Record<string, BuildServer>;
