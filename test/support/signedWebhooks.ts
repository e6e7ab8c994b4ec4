import { createHmac, type KeyObject } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { httpApiEventOf } from "../../local/lambdaHttpEvent.ts";
import {
  signedGithubWebhook,
  signedKeygenWebhook,
  signedShopifyWebhook,
  signedStandardWebhook,
  signedStripeWebhook,
} from "../../local/webhookSigning.ts";

export { keygenKeyPair } from "../unit/lambdas/intake/signatures/keygenRequests.ts";

/**
 * API Gateway HTTP API (payload 2.0) events for `POST /webhooks/{provider}`, signed the way each provider signs
 * them (`local/webhookSigning.ts`: the providers' own libraries where one exists, never the gateway's verifiers).
 */

/** Host the events are addressed to (Keygen signs it). */
export const WEBHOOK_HOST = "hooks.example.com";

export interface HttpApiEventInput {
  provider: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** Send the body base64-encoded, as API Gateway does for binary content types. */
  base64?: boolean;
  /** @default "POST" */
  method?: string;
  /** @default `/webhooks/${provider}` */
  rawPath?: string;
  /** The query string, without `?`. @default none */
  rawQueryString?: string;
  /** Leave `pathParameters` out, so the provider must come from `rawPath`. */
  withoutPathParameters?: boolean;
}

/** A bare HTTP API v2.0 event; `headers` are sent as given (plus `host`). */
export function httpApiEvent(input: HttpApiEventInput): APIGatewayProxyEventV2 {
  const method = input.method ?? "POST";
  return httpApiEventOf({
    method,
    rawPath: input.rawPath ?? `/webhooks/${input.provider}`,
    ...(input.rawQueryString !== undefined && { rawQueryString: input.rawQueryString }),
    headers: { host: WEBHOOK_HOST, ...input.headers },
    body: Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, "utf8"),
    routeKey: `${method} /webhooks/{provider}`,
    ...(input.withoutPathParameters ? {} : { pathParameters: { provider: input.provider } }),
    sourceIp: "203.0.113.9",
    timeEpochMs: 0,
    bodyEncoding: input.base64 ? "base64" : "utf8",
  });
}

/** Options every provider builder takes besides its own. */
export interface WebhookOptions {
  /** The `{provider}` name it is configured under. */
  provider?: string;
  body?: string | Buffer;
  base64?: boolean;
  /** Extra headers, added after the signed ones (they can override them). */
  headers?: Record<string, string>;
}

function build(provider: string, options: WebhookOptions, body: string | Buffer, signed: Record<string, string>) {
  const headers = {
    "content-type": "application/json",
    "user-agent": "webhook-sender/1.0",
    ...signed,
    ...options.headers,
  };
  return httpApiEvent({ provider: options.provider ?? provider, body, headers, base64: options.base64 });
}

/** A Stripe event: `stripe-signature` from the stripe library; the id is the body's `id`. */
export function stripeWebhook(options: WebhookOptions & { secret: string; eventId: string; nowMs: number }) {
  const { body, headers } = signedStripeWebhook(options);
  return build("stripe", options, body, headers);
}

/** A GitHub delivery: `x-hub-signature-256` over the raw body; the id is `<x-github-hook-id>:<x-github-delivery>`. */
export function githubWebhook(
  options: WebhookOptions & { secret: string; deliveryId: string; eventType?: string; hookId?: string },
) {
  const { body, headers } = signedGithubWebhook(options);
  return build("github", options, body, headers);
}

/** A Shopify webhook: base64 `x-shopify-hmac-sha256`; the id is `x-shopify-webhook-id`. */
export function shopifyWebhook(options: WebhookOptions & { secret: string; webhookId: string; topic?: string }) {
  const { body, headers } = signedShopifyWebhook(options);
  return build("shopify", options, body, headers);
}

/** A Standard Webhooks message, signed by the standardwebhooks library; the id is `webhook-id`. */
export function standardWebhook(options: WebhookOptions & { secret: string; messageId: string; nowMs: number }) {
  const { body, headers } = signedStandardWebhook(options);
  return build("standard", options, body, headers);
}

/** A Keygen webhook signed with Ed25519 over method, path, host, date and digest; the id is the idempotency token. */
export function keygenWebhook(
  options: WebhookOptions & {
    privateKey: KeyObject;
    idempotencyToken: string;
    nowMs: number;
    /** The endpoint URL's query string (without `?`), which Keygen signs with the path. */
    query?: string;
    /** What Keygen is taken to sign as the request target. @default the path, with `?query` when there is one */
    signedTarget?: string;
  },
) {
  const provider = options.provider ?? "keygen";
  const target = `/webhooks/${provider}${options.query === undefined ? "" : `?${options.query}`}`;
  const path = options.signedTarget ?? target;
  const { body, headers } = signedKeygenWebhook({ ...options, host: WEBHOOK_HOST, path });
  const event = build("keygen", { ...options, provider }, body, headers);
  return options.query === undefined ? event : { ...event, rawQueryString: options.query };
}

/** A generic webhook: the id in `eventIdHeader`, and an HMAC-SHA256 hex of the body when `signature` is given. */
export function genericWebhook(
  options: WebhookOptions & {
    eventId?: string;
    eventIdHeader?: string;
    signature?: { header: string; secret: string };
  },
) {
  const body = options.body ?? JSON.stringify({ kind: "thing.happened" });
  const signed: Record<string, string> = {};
  if (options.eventId !== undefined) signed[options.eventIdHeader ?? "idempotency-key"] = options.eventId;
  if (options.signature) {
    signed[options.signature.header] = createHmac("sha256", options.signature.secret).update(body).digest("hex");
  }
  return build("generic", options, body, signed);
}

export { githubEventId } from "../../local/webhookSigning.ts";
