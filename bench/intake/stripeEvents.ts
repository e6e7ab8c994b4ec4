import { randomBytes } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { httpApiEventOf } from "../../local/lambdaHttpEvent.ts";
import { signedStripeWebhook } from "../../local/webhookSigning.ts";

/** The provider the intake benchmark sends as: HMAC-SHA256 over timestamp and body, id in the JSON body. */
export const PROVIDER = "stripe";

/** A fresh Stripe signing secret (`whsec_` + base64, as Stripe issues them). */
export function newStripeSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/**
 * A Stripe-shaped event body of exactly `bytes` bytes (padded in metadata), so item sizes and write units are those
 * of a real event of that size. Stripe events are typically 1–4 KB.
 */
export function stripeEventBody(eventId: string, bytes: number): string {
  const event = {
    id: eventId,
    object: "event",
    api_version: "2024-06-20",
    created: 1_700_000_000,
    type: "payment_intent.succeeded",
    livemode: false,
    data: {
      object: { id: `pi_${eventId.slice(-16)}`, object: "payment_intent", amount: 4200, currency: "eur", metadata: {} },
    },
  };
  const bare = JSON.stringify(event);
  const padding = Math.max(0, bytes - bare.length - '"padding":""'.length);
  event.data.object.metadata = { padding: "x".repeat(padding) };
  return JSON.stringify(event);
}

/**
 * What API Gateway hands the intake Lambda for one Stripe delivery of `eventId`: signed now, so a duplicate
 * built later carries a new timestamp and signature, as Stripe's retries do.
 */
export function stripeDelivery(secret: string, eventId: string, body: string): APIGatewayProxyEventV2 {
  const nowMs = Date.now();
  const signed = signedStripeWebhook({ secret, eventId, nowMs, body });
  return httpApiEventOf({
    method: "POST",
    rawPath: `/webhooks/${PROVIDER}`,
    routeKey: "POST /webhooks/{provider}",
    pathParameters: { provider: PROVIDER },
    headers: {
      host: "hooks.example.com",
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      ...signed.headers,
    },
    body: Buffer.from(body, "utf8"),
    bodyEncoding: "utf8",
    sourceIp: "203.0.113.9",
    timeEpochMs: nowMs,
  });
}
