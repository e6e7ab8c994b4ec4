// README example: the Middy middleware on an HTTP consumer (API Gateway, Function URL or ALB).
import middy from "@middy/core";
import { type IdempotencyContext, idempotency } from "@oncegate/sdk";

export const handler = middy(async (event: { body?: string }, context: { idempotency?: IdempotencyContext }) => {
  const { key, db } = context.idempotency as IdempotencyContext;
  const order = JSON.parse(event.body ?? "{}") as { amount?: number };
  // Buffered: committed in the same transaction as the completion record, or not at all.
  await db.put({ TableName: process.env.CHARGES_TABLE ?? "charges", Item: { id: key, amount: order.amount ?? 0 } });
  return { statusCode: 201, body: JSON.stringify({ charged: order.amount ?? 0 }) };
}).use(idempotency({ tableName: process.env.IDEMPOTENCY_TABLE ?? "" }));
