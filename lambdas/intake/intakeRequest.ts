import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { SignedRequest } from "./signatures/types.ts";

/**
 * Reading an API Gateway HTTP API (payload format 2.0) event. Every function here tolerates a malformed event
 * (missing fields, wrong types): the event is input, and bad input gets a 4xx, never an exception.
 */

type LooseEvent = Partial<APIGatewayProxyEventV2> | null | undefined;

/** The `{provider}` of `POST /webhooks/{provider}`: the path parameter, else the last segment of `rawPath`. */
export function providerOf(event: LooseEvent): string | undefined {
  const fromRoute = event?.pathParameters?.provider;
  if (typeof fromRoute === "string" && fromRoute !== "") return fromRoute;
  const rawPath = event?.rawPath;
  if (typeof rawPath !== "string") return undefined;
  const segment = rawPath.split("/").filter(Boolean).at(-1);
  return segment === undefined ? undefined : segment;
}

/** The HTTP method, upper-cased; "" when absent. */
export function methodOf(event: LooseEvent): string {
  const method = event?.requestContext?.http?.method;
  return typeof method === "string" ? method.toUpperCase() : "";
}

/** Size of the body in bytes once decoded, computed without decoding it (so an oversize body is never copied). */
export function bodySizeOf(event: LooseEvent): number {
  const body = event?.body;
  if (typeof body !== "string") return 0;
  return Buffer.byteLength(body, event?.isBase64Encoded === true ? "base64" : "utf8");
}

/**
 * The request as the verifiers need it: the exact body bytes (base64-decoded when API Gateway encoded them, as it
 * does for non-text content types), header names lower-cased, the method, `rawPath` and `rawQueryString` (Keygen
 * signs all three).
 */
export function signedRequestOf(event: LooseEvent): SignedRequest {
  const body = typeof event?.body === "string" ? event.body : "";
  return {
    rawBody: Buffer.from(body, event?.isBase64Encoded === true ? "base64" : "utf8"),
    headers: lowerCasedHeaders(event?.headers),
    method: methodOf(event),
    rawPath: typeof event?.rawPath === "string" ? event.rawPath : "",
    rawQueryString: typeof event?.rawQueryString === "string" ? event.rawQueryString : "",
  };
}

function lowerCasedHeaders(headers: unknown): Record<string, string> {
  if (typeof headers !== "object" || headers === null) return {};
  // fromEntries defines own properties, so even a header named "__proto__" stays a plain entry.
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string] => typeof entry[1] === "string")
      .map(([name, value]) => [name.toLowerCase(), value]),
  );
}
