import { createHmac, type KeyObject, randomUUID } from "node:crypto";
import { Webhook } from "standardwebhooks";
import Stripe from "stripe";
import { keygenSignedHeaders } from "./keygenSigning.ts";

/**
 * Webhook requests signed the way each provider signs them: with the provider's own library where one exists
 * (Stripe, Standard Webhooks) and `node:crypto` otherwise, never with the gateway's verifiers. The chaos command
 * sends them over HTTP; the tests wrap them in API Gateway events.
 */

/** A signed request: the exact body bytes and the headers the provider sends with them. */
export interface SignedWebhook {
  body: string | Buffer;
  headers: Record<string, string>;
}

/** Options every provider takes: a body of your own (else a small typical one). */
interface BodyOption {
  body?: string | Buffer;
}

const stripe = new Stripe("sk_test_unused");

/** A Stripe event: `stripe-signature` from the stripe library; the id is the body's `id`. */
export function signedStripeWebhook(options: BodyOption & { secret: string; eventId: string; nowMs: number }) {
  const body = options.body ?? JSON.stringify({ id: options.eventId, object: "event", type: "charge.succeeded" });
  const payload = Buffer.isBuffer(body) ? body.toString("utf8") : body;
  const timestamp = Math.floor(options.nowMs / 1000);
  const signature = stripe.webhooks.generateTestHeaderString({ payload, secret: options.secret, timestamp });
  return { body, headers: { "stripe-signature": signature } } satisfies SignedWebhook;
}

/** The event id the gateway derives for a GitHub delivery: `<hook id>:<delivery GUID>` (hook `1` unless given). */
export function githubEventId(deliveryId: string, hookId = "1"): string {
  return `${hookId}:${deliveryId}`;
}

/**
 * A GitHub delivery: `x-hub-signature-256` over the raw body; the id is `x-github-hook-id` (the hook sending it,
 * `1` unless given) with `x-github-delivery` (one GUID per event, shared by every hook subscribed to it).
 */
export function signedGithubWebhook(
  options: BodyOption & { secret: string; deliveryId: string; eventType?: string; hookId?: string },
): SignedWebhook {
  const body = options.body ?? JSON.stringify({ action: "opened", number: 7 });
  const signature = `sha256=${createHmac("sha256", options.secret).update(body).digest("hex")}`;
  const headers = {
    "x-hub-signature-256": signature,
    "x-github-delivery": options.deliveryId,
    "x-github-hook-id": options.hookId ?? "1",
    "x-github-event": options.eventType ?? "pull_request",
  };
  return { body, headers };
}

/** A Shopify webhook: base64 `x-shopify-hmac-sha256`; the id is `x-shopify-webhook-id`. */
export function signedShopifyWebhook(
  options: BodyOption & { secret: string; webhookId: string; topic?: string },
): SignedWebhook {
  const body = options.body ?? JSON.stringify({ id: 820982911946154, email: "jon@example.com" });
  const headers = {
    "x-shopify-hmac-sha256": createHmac("sha256", options.secret).update(body).digest("base64"),
    "x-shopify-webhook-id": options.webhookId,
    "x-shopify-event-id": `event-${options.webhookId}`,
    "x-shopify-topic": options.topic ?? "orders/create",
  };
  return { body, headers };
}

/** A Standard Webhooks message, signed by the standardwebhooks library; the id is `webhook-id`. */
export function signedStandardWebhook(
  options: BodyOption & { secret: string; messageId: string; nowMs: number },
): SignedWebhook {
  const body = options.body ?? JSON.stringify({ type: "invoice.paid", data: { amount: 4200 } });
  const headers = {
    "webhook-id": options.messageId,
    "webhook-timestamp": String(Math.floor(options.nowMs / 1000)),
    "webhook-signature": new Webhook(options.secret).sign(options.messageId, new Date(options.nowMs), body),
  };
  return { body, headers };
}

/**
 * A Keygen webhook signed with Ed25519 over method, path, host, date and digest; the id is the body's
 * `data.meta.idempotencyToken`. `host` and `path` are those of the endpoint URL configured in Keygen.
 */
export function signedKeygenWebhook(
  options: BodyOption & { privateKey: KeyObject; idempotencyToken: string; nowMs: number; host: string; path: string },
): SignedWebhook {
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
  const { privateKey, nowMs: dateMs, host, path } = options;
  return { body, headers: keygenSignedHeaders({ body, privateKey, dateMs, host, path }) };
}
