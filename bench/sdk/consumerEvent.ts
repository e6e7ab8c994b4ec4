import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { httpApiEventOf } from "../../local/lambdaHttpEvent.ts";

/** The request header both middlewares read the key from (API Gateway HTTP APIs lower-case header names). */
export const KEY_HEADER = "idempotency-key";

/** The body of the webhook with `key`: a function of the key, so a duplicate carries the same payload. */
export function consumerBody(key: string): string {
  return JSON.stringify({ id: key, type: "order.paid", data: { amount: 4200, currency: "eur" } });
}

/**
 * What a consumer behind an HTTP API receives from the gateway: `POST /webhooks/orders` with the event's
 * `Idempotency-Key`, a small JSON body sent as text (`isBase64Encoded: false`).
 */
export function consumerEvent(key: string): APIGatewayProxyEventV2 {
  return httpApiEventOf({
    method: "POST",
    rawPath: "/webhooks/orders",
    routeKey: "POST /webhooks/orders",
    headers: {
      host: "consumer.example.com",
      "content-type": "application/json",
      "user-agent": "oncegate/1.0",
      [KEY_HEADER]: key,
    },
    body: Buffer.from(consumerBody(key), "utf8"),
    bodyEncoding: "utf8",
    sourceIp: "203.0.113.9",
    timeEpochMs: Date.now(),
  });
}

/** What the trivial handler answers; every contender must answer (or replay) exactly this. */
export const HANDLER_RESPONSE = {
  statusCode: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ ok: true }),
};
