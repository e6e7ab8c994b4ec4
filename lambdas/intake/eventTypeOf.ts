import type { ProviderScheme } from "../shared/gatewayConfig.ts";
import { parseJsonBody, readJsonPath } from "./signatures/jsonBody.ts";
import { readHeader } from "./signatures/readHeader.ts";
import type { SignedRequest } from "./signatures/types.ts";

// Longer than any provider's type; a longer value is not a type (and would bloat every listing of the event).
const MAX_EVENT_TYPE_LENGTH = 256;

/**
 * A verified request's event type, as its provider names it, or undefined when it has none:
 * - Stripe: the body's `type` (`invoice.paid`);
 * - GitHub: `X-GitHub-Event`, with the body's `action` when there is one (`pull_request.opened`; `push`). GitHub
 *   posts JSON, or a form whose `payload` field is the JSON, depending on the hook's content type;
 * - Shopify: `X-Shopify-Topic` (`orders/create`);
 * - Standard Webhooks: the body's `type` (the specification's payload structure);
 * - Keygen: the body's `data.attributes.event` (`license.created`);
 * - generic: the configured `eventType` header or JSON path; none configured, no type.
 * Read for every accepted event (`newEventItem`): a JSON body is parsed once more, which costs on large ones.
 */
export function eventTypeOf(scheme: ProviderScheme, request: SignedRequest): string | undefined {
  switch (scheme.scheme) {
    case "stripe":
    case "standard":
      return typeText(readJsonPath(jsonOf(request), "type"));
    case "keygen":
      return typeText(readJsonPath(jsonOf(request), "data.attributes.event"));
    case "shopify":
      return typeText(readHeader(request.headers, "x-shopify-topic"));
    case "github":
      return gitHubEventType(request);
    case "generic": {
      const source = scheme.eventType;
      if (source === undefined) return undefined;
      if ("header" in source) return typeText(readHeader(request.headers, source.header));
      return typeText(readJsonPath(jsonOf(request), source.jsonPath));
    }
  }
}

function gitHubEventType(request: SignedRequest): string | undefined {
  const event = typeText(readHeader(request.headers, "x-github-event"));
  if (event === undefined) return undefined;
  const action = typeText(readJsonPath(gitHubPayload(request), "action"));
  return action === undefined ? event : typeText(`${event}.${action}`);
}

// A hook created with content type application/x-www-form-urlencoded posts `payload=<url-encoded JSON>`.
function gitHubPayload(request: SignedRequest): unknown {
  const contentType = readHeader(request.headers, "content-type") ?? "";
  if (!contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) return jsonOf(request);
  const payload = new URLSearchParams(request.rawBody.toString("utf8")).get("payload");
  return payload === null ? undefined : jsonOf({ ...request, rawBody: Buffer.from(payload, "utf8") });
}

function jsonOf(request: SignedRequest): unknown {
  const body = parseJsonBody(request.rawBody);
  return body.ok ? body.value : undefined;
}

function typeText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  return text === "" || text.length > MAX_EVENT_TYPE_LENGTH ? undefined : text;
}
