import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2 } from "aws-lambda";

/**
 * Turning a real HTTP request into the Lambda event API Gateway HTTP APIs and Function URLs send (payload format
 * 2.0, the same shape for both), and a handler's answer back into an HTTP response.
 */

/** A request as API Gateway hands it on: header names lower-cased, the body as bytes. */
export interface HttpRequestParts {
  method: string;
  /** The path as sent, not decoded. */
  rawPath: string;
  rawQueryString?: string;
  headers: Record<string, string>;
  body: Buffer;
  /** `POST /webhooks/{provider}` for a route, `$default` for a Function URL. */
  routeKey: string;
  pathParameters?: Record<string, string>;
  sourceIp: string;
  /** When the request arrived. */
  timeEpochMs: number;
  /** How the event carries the body. @default "base64" */
  bodyEncoding?: "base64" | "utf8";
}

/**
 * The payload 2.0 event of a request. The body is base64-encoded (`isBase64Encoded: true`) unless told otherwise,
 * as API Gateway does for binary content: the handler then sees the exact bytes the sender signed, whatever they are.
 */
export function httpApiEventOf(request: HttpRequestParts): APIGatewayProxyEventV2 {
  const host = request.headers.host ?? "localhost";
  const domainName = host.replace(/:\d+$/, "");
  return {
    version: "2.0",
    routeKey: request.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString ?? "",
    headers: request.headers,
    ...(request.pathParameters === undefined ? {} : { pathParameters: request.pathParameters }),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method: request.method,
        path: request.rawPath,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: request.headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: request.routeKey,
      stage: "$default",
      time: new Date(request.timeEpochMs).toUTCString(),
      timeEpoch: request.timeEpochMs,
    },
    body: request.body.toString(request.bodyEncoding ?? "base64"),
    isBase64Encoded: request.bodyEncoding !== "utf8",
  };
}

/** Thrown when a body is larger than API Gateway would take. */
export class BodyTooLargeError extends Error {}

/** API Gateway's payload limit: a larger request never reaches the Lambda. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * Reads a request's body (at most `maxBytes`, by default {@link MAX_REQUEST_BYTES}) and its headers, as API Gateway
 * passes them on.
 * @throws BodyTooLargeError as soon as more than `maxBytes` have arrived (the rest is not read)
 */
export async function readRequestParts(
  incoming: IncomingMessage,
  route: Pick<HttpRequestParts, "routeKey" | "pathParameters">,
  timeEpochMs: number,
  maxBytes: number = MAX_REQUEST_BYTES,
): Promise<HttpRequestParts> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLargeError(`body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const url = new URL(incoming.url ?? "/", "http://localhost");
  // Node lower-cases names already; repeated headers are joined with commas, as API Gateway does.
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  return {
    method: incoming.method ?? "GET",
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    body: Buffer.concat(chunks),
    ...route,
    sourceIp: incoming.socket.remoteAddress ?? "127.0.0.1",
    timeEpochMs,
  };
}

/** What a Lambda behind API Gateway or a Function URL may return. */
interface LambdaHttpResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
}

/**
 * Writes a handler's answer: a `{ statusCode, headers, body }` result as it is, anything else as a 200 JSON body
 * (what API Gateway and Function URLs do with a result that is not a response).
 */
export function writeLambdaResult(response: ServerResponse, result: unknown): void {
  const shaped = typeof result === "object" && result !== null && "statusCode" in result;
  const answer: LambdaHttpResult = shaped
    ? (result as LambdaHttpResult)
    : { statusCode: 200, headers: { "content-type": "application/json" }, body: JSON.stringify(result ?? null) };
  const body = Buffer.from(answer.body ?? "", answer.isBase64Encoded ? "base64" : "utf8");
  const headers = Object.fromEntries(
    Object.entries(answer.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  response.writeHead(answer.statusCode ?? 200, headers).end(body);
}

/** A JSON answer of the local front itself (not of a Lambda). */
export function writeJson(response: ServerResponse, statusCode: number, value: unknown): void {
  response.writeHead(statusCode, { "content-type": "application/json" }).end(`${JSON.stringify(value, null, 2)}\n`);
}
