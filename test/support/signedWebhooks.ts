import { createHmac, type KeyObject, randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { keygenSignedHeaders } from "../unit/lambdas/intake/signatures/keygenRequests.ts";

export { keygenKeyPair } from "../unit/lambdas/intake/signatures/keygenRequests.ts";

/**
 * API Gateway HTTP API (payload 2.0) events for `POST /webhooks/{provider}`, signed the way each provider signs
 * them. Signatures come from the providers' own libraries where one exists (Stripe, Standard Webhooks) and from
 * `node:crypto` otherwise, never from the gateway's verifiers.
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
  /** Leave `pathParameters` out, so the provider must come from `rawPath`. */
  withoutPathParameters?: boolean;
}

/** A bare HTTP API v2.0 event; `headers` are sent as given (plus `host`). */
export function httpApiEvent(input: HttpApiEventInput): APIGatewayProxyEventV2 {
  const method = input.method ?? "POST";
  const rawPath = input.rawPath ?? `/webhooks/${input.provider}`;
  const body = Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, "utf8");
  const requestId = randomUUID();
  return {
    version: "2.0",
    routeKey: `${method} /webhooks/{provider}`,
    rawPath,
    rawQueryString: "",
    headers: { host: WEBHOOK_HOST, ...input.headers },
    ...(input.withoutPathParameters ? {} : { pathParameters: { provider: input.provider } }),
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      domainName: WEBHOOK_HOST,
      domainPrefix: "hooks",
      http: { method, path: rawPath, protocol: "HTTP/1.1", sourceIp: "203.0.113.9", userAgent: "test" },
      requestId,
      routeKey: `${method} /webhooks/{provider}`,
      stage: "$default",
      time: new Date(0).toISOString(),
      timeEpoch: 0,
    },
    body: input.base64 ? body.toString("base64") : body.toString("utf8"),
    isBase64Encoded: input.base64 === true,
  };
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

const stripe = new Stripe("sk_test_unused");

/** A Stripe event: `stripe-signature` from the stripe library; the id is the body's `id`. */
export function stripeWebhook(options: WebhookOptions & { secret: string; eventId: string; nowMs: number }) {
  const body = options.body ?? JSON.stringify({ id: options.eventId, object: "event", type: "charge.succeeded" });
  const payload = Buffer.isBuffer(body) ? body.toString("utf8") : body;
  const timestamp = Math.floor(options.nowMs / 1000);
  const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret, timestamp });
  return build("stripe", options, body, { "stripe-signature": signature });
}

/** A GitHub delivery: `x-hub-signature-256` over the raw body; the id is `x-github-delivery`. */
export function githubWebhook(options: WebhookOptions & { secret: string; deliveryId: string; eventType?: string }) {
  const body = options.body ?? JSON.stringify({ action: "opened", number: 7 });
  const signature = `sha256=${createHmac("sha256", options.secret).update(body).digest("hex")}`;
  return build("github", options, body, {
    "x-hub-signature-256": signature,
    "x-github-delivery": options.deliveryId,
    "x-github-event": options.eventType ?? "pull_request",
  });
}

/** A Shopify webhook: base64 `x-shopify-hmac-sha256`; the id is `x-shopify-webhook-id`. */
export function shopifyWebhook(options: WebhookOptions & { secret: string; webhookId: string; topic?: string }) {
  const body = options.body ?? JSON.stringify({ id: 820982911946154, email: "jon@example.com" });
  return build("shopify", options, body, {
    "x-shopify-hmac-sha256": createHmac("sha256", options.secret).update(body).digest("base64"),
    "x-shopify-webhook-id": options.webhookId,
    "x-shopify-event-id": `event-${options.webhookId}`,
    "x-shopify-topic": options.topic ?? "orders/create",
  });
}

/** A Standard Webhooks message, signed by the standardwebhooks library; the id is `webhook-id`. */
export function standardWebhook(options: WebhookOptions & { secret: string; messageId: string; nowMs: number }) {
  const body = options.body ?? JSON.stringify({ type: "invoice.paid", data: { amount: 4200 } });
  const date = new Date(options.nowMs);
  return build("standard", options, body, {
    "webhook-id": options.messageId,
    "webhook-timestamp": String(Math.floor(options.nowMs / 1000)),
    "webhook-signature": new Webhook(options.secret).sign(options.messageId, date, body),
  });
}

/** A Keygen webhook signed with Ed25519 over method, path, host, date and digest; the id is the idempotency token. */
export function keygenWebhook(
  options: WebhookOptions & { privateKey: KeyObject; idempotencyToken: string; nowMs: number },
) {
  const provider = options.provider ?? "keygen";
  const body =
    options.body ??
    JSON.stringify({
      data: {
        id: randomUUID(),
        type: "webhook-events",
        attributes: { event: "license.created" },
        meta: { idempotencyToken: options.idempotencyToken },
      },
    });
  const signed = keygenSignedHeaders({
    body,
    privateKey: options.privateKey,
    dateMs: options.nowMs,
    host: WEBHOOK_HOST,
    path: `/webhooks/${provider}`,
  });
  return build("keygen", { ...options, provider }, body, signed);
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
