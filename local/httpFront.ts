import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { payloadTooLargeAnswer } from "../lambdas/intake/httpAnswers.ts";
import {
  BodyTooLargeError,
  httpApiEventOf,
  readRequestParts,
  writeJson,
  writeLambdaResult,
} from "./lambdaHttpEvent.ts";
import { DEMO_CONSUMER_PATH } from "./localConfig.ts";
import type { OpsResources } from "./opsResources.ts";

/**
 * What the front calls for each route. A route left out is not served (404): the demo consumer running on its own
 * (`consumer.ts`) serves only `consumer`.
 */
export interface FrontRoutes {
  /** `POST /webhooks/{provider}`: the intake Lambda, with an API Gateway HTTP API event. */
  intake?(event: APIGatewayProxyEventV2): Promise<unknown>;
  /**
   * The intake's `maxBodyBytes`: a larger webhook is answered 413 with the intake's own JSON error once that many
   * bytes have arrived, without buffering the rest. @default API Gateway's 10 MB (`MAX_REQUEST_BYTES`)
   */
  maxIntakeBodyBytes?: number;
  /** `POST /consumer/demo`: the demo consumer, with a Function URL event. */
  consumer?(event: APIGatewayProxyEventV2): Promise<unknown>;
  /** `GET /stats` */
  stats?(): Promise<unknown>;
  /** `GET /events/{provider}/{eventId}`: `undefined` when there is no such event. */
  event?(provider: string, eventId: string): Promise<unknown>;
  /** `GET /ops/resources`: the emulators' endpoints and the resources' names, for the operator CLI (`opsResources.ts`). */
  opsResources?(): OpsResources;
  /** `/console` and below: the operator console (`ops/console`), which answers for itself. */
  console?(request: IncomingMessage, response: ServerResponse): Promise<void>;
  /** Told about a request that failed inside the stack (answered 500). */
  onError(error: unknown): void;
}

/** Thrown when the port is taken (most often by a stack already running). */
export class PortInUseError extends Error {
  constructor(port: number) {
    super(`port ${port} is already in use (is oncegate already running? stop it, or pass --port)`);
    this.name = "PortInUseError";
  }
}

/** The HTTP front on 127.0.0.1: it answers 503 until {@link HttpFront.serve} gives it its routes. */
export interface HttpFront extends LocalServer {
  serve(routes: FrontRoutes): void;
}

/**
 * Binds the port first of all, so that a second `npm start` on it fails before touching anything else.
 * @throws PortInUseError
 */
export async function listenHttpFront(port: number): Promise<HttpFront> {
  let routes: FrontRoutes | undefined;
  const listening = await listenLocal(port, (request, response) => {
    if (routes === undefined) {
      writeJson(response, 503, { ok: false, error: "starting", message: "oncegate is starting" });
      return;
    }
    const current = routes;
    route(current, request, response).catch((error: unknown) => {
      current.onError(error);
      if (!response.headersSent) writeJson(response, 500, { ok: false, error: (error as Error).name ?? "Error" });
      else response.destroy();
    });
  });
  return {
    ...listening,
    serve(next) {
      routes = next;
    },
  };
}

/** An HTTP server bound on 127.0.0.1. */
export interface LocalServer {
  port: number;
  baseUrl: string;
  /** Stops listening and cuts open connections; calling it again waits for the same close. */
  close(): Promise<void>;
}

/**
 * Serves `listener` on 127.0.0.1:`port` (0: a free one), resolving once bound.
 * @throws PortInUseError
 */
export async function listenLocal(port: number, listener: RequestListener): Promise<LocalServer> {
  const server: Server = createServer(listener);
  // Longer than any client keeps an idle connection (undici: 4 s; Node's server default is 5 s): the client closes
  // first, so a request it sends on a pooled connection never meets one the server is closing (EPIPE/ECONNRESET on a
  // POST, which no client retries). Seen with a 5 MB body built between two requests on a busy machine.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port) : error),
    );
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    port: bound,
    baseUrl: `http://127.0.0.1:${bound}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closed;
    },
  };
}

async function route(routes: FrontRoutes, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { intake, consumer, stats, event: eventView, opsResources, console: operatorConsole } = routes;
  const segments = new URL(request.url ?? "/", "http://localhost").pathname.split("/").slice(1);
  const [first, second, ...rest] = segments;
  if (operatorConsole && first === "console") return operatorConsole(request, response);
  if (intake && first === "webhooks" && second !== undefined && second !== "" && rest.length === 0) {
    const routeKey = `${request.method ?? "POST"} /webhooks/{provider}`;
    const limit = routes.maxIntakeBodyBytes;
    const parts = { routeKey, pathParameters: { provider: decode(second) } };
    const tooLarge = limit === undefined ? undefined : () => writeLambdaResult(response, payloadTooLargeAnswer(limit));
    const event = await lambdaEvent(request, response, parts, limit, tooLarge);
    if (event !== undefined) writeLambdaResult(response, await intake(event));
    return;
  }
  if (consumer && `/${segments.join("/")}` === DEMO_CONSUMER_PATH) {
    if (request.method !== "POST") return writeJson(response, 405, { ok: false, error: "method_not_allowed" });
    const event = await lambdaEvent(request, response, { routeKey: "$default" });
    if (event !== undefined) writeLambdaResult(response, await consumer(event));
    return;
  }
  if (stats && request.method === "GET" && first === "stats" && second === undefined) {
    return writeJson(response, 200, await stats());
  }
  if (opsResources && request.method === "GET" && first === "ops" && second === "resources" && rest.length === 0) {
    return writeJson(response, 200, opsResources());
  }
  if (eventView && request.method === "GET" && first === "events" && second !== undefined && rest.length > 0) {
    // Event ids may hold slashes: everything after the provider is the id.
    const view = await eventView(decode(second), decode(rest.join("/")));
    if (view === undefined) return writeJson(response, 404, { ok: false, error: "no_such_event" });
    return writeJson(response, 200, view);
  }
  const served = [
    intake && "POST /webhooks/{provider}",
    consumer && `POST ${DEMO_CONSUMER_PATH}`,
    stats && "GET /stats",
    eventView && "GET /events/{provider}/{eventId}",
    opsResources && "GET /ops/resources",
    operatorConsole && "GET /console",
  ];
  writeJson(response, 404, { ok: false, error: "not_found", routes: served.filter(Boolean) });
}

async function lambdaEvent(
  request: IncomingMessage,
  response: ServerResponse,
  route: { routeKey: string; pathParameters?: Record<string, string> },
  maxBytes?: number,
  answerTooLarge?: () => void,
): Promise<APIGatewayProxyEventV2 | undefined> {
  try {
    return httpApiEventOf(await readRequestParts(request, route, Date.now(), maxBytes));
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    // The sender may still be writing: answer, then close the connection rather than read what is left.
    response.setHeader("connection", "close");
    if (answerTooLarge !== undefined) {
      answerTooLarge();
      return undefined;
    }
    // API Gateway refuses such a request itself; the Lambda never sees it.
    writeJson(response, 413, { message: "Request Entity Too Large" });
    return undefined;
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
