/**
 * Posts to a demo consumer what looks like a gateway delivery (an Idempotency-Key, a webhook-id) but carries no
 * Standard Webhooks signature: the consumer must refuse it before its SDK claims the key.
 */
export function postUnsignedDelivery(consumerUrl: string): Promise<Response> {
  return fetch(consumerUrl, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": "whk_forged", "webhook-id": "whk_forged" },
    body: "{}",
  });
}
