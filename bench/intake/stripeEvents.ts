import { randomBytes } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { httpApiEventOf } from "../../local/lambdaHttpEvent.ts";
import { pick, randomInt, seededRandom } from "../../local/seededRandom.ts";
import { signedStripeWebhook } from "../../local/webhookSigning.ts";

/** The provider the intake benchmark sends as: HMAC-SHA256 over timestamp and body, id in the JSON body. */
export const PROVIDER = "stripe";

/** A fresh Stripe signing secret (`whsec_` + base64, as Stripe issues them). */
export function newStripeSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/**
 * A Stripe-shaped event body of exactly `bytes` bytes, so item sizes and write units are those of a real event of
 * that size, compression included: an `invoice.paid` whose invoice has as many line items as fit, each with its own
 * random ids, amounts and period (what keeps gzip at 2–4×, not 100× as a padding of one repeated character would),
 * the rest padded in a note. Stripe events are typically 1–4 KB. Deterministic per event id.
 */
export function stripeEventBody(eventId: string, bytes: number): string {
  const random = seededRandom(seedOf(eventId));
  const id = (prefix: string) => `${prefix}_${Array.from({ length: 24 }, () => pick(random, ALPHABET)).join("")}`;
  const lines: Record<string, unknown>[] = [];
  const event = {
    id: eventId,
    object: "event",
    api_version: "2024-06-20",
    created: 1_700_000_000,
    type: "invoice.paid",
    livemode: false,
    data: {
      object: {
        id: `in_${eventId.slice(-16)}`,
        object: "invoice",
        amount_paid: 4200,
        currency: "eur",
        customer: id("cus"),
        lines: { object: "list", data: lines, has_more: false },
        metadata: {},
      },
    },
    request: { id: null, idempotency_key: null },
  };
  const line = () => {
    const start = 1_700_000_000 + Math.floor(random() * 10_000_000);
    return {
      id: id("il"),
      object: "line_item",
      amount: Math.floor(random() * 100_000),
      currency: "eur",
      description: `${randomInt(random, 1, 9)} x ${pick(random, PLANS)}`,
      period: { start, end: start + 2_592_000 },
      price: { id: id("price"), product: id("prod"), unit_amount: Math.floor(random() * 10_000) },
      quantity: 1 + Math.floor(random() * 9),
      type: "subscription",
    };
  };
  // The padding field's own name and quotes: `"note":""`.
  const noteOverhead = 10;
  for (;;) {
    const candidate = line();
    lines.push(candidate);
    if (JSON.stringify(event).length + noteOverhead > bytes) {
      lines.pop();
      break;
    }
  }
  const room = bytes - JSON.stringify(event).length - noteOverhead;
  const words: string[] = [];
  while (words.join(" ").length < room) words.push(pick(random, WORDS));
  (event.data.object.metadata as Record<string, string>).note = words.join(" ").slice(0, Math.max(0, room));
  const body = JSON.stringify(event);
  return body.length === bytes || room < 0 ? body : body.padEnd(bytes, " ");
}

const ALPHABET = [..."0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"];
const PLANS = ["Pro plan (at EUR 19.99 / month)", "Seat (at EUR 8.00 / month)", "Storage add-on", "Support tier"];
const WORDS = ["invoice", "for", "the", "team", "seats", "renewal", "annual", "plan", "eu", "west", "order", "ref"];

/** A seed from a string (31-multiplier hash): the same event id gives the same body. */
function seedOf(text: string): number {
  let seed = 0;
  for (const char of text) seed = (Math.imul(seed, 31) + char.charCodeAt(0)) >>> 0;
  return seed;
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
