// README example: an SQS consumer; each record is its own unit, failures are reported per record.
import { idempotent } from "@oncegate/sdk";

export const handler = idempotent(
  async ({ event, db, key }) => {
    const { orderId } = event as { orderId: string };
    await db.update({
      TableName: process.env.ORDERS_TABLE ?? "orders",
      Key: { id: orderId },
      UpdateExpression: "SET fulfilledBy = :key",
      ConditionExpression: "attribute_exists(id)",
      ExpressionAttributeValues: { ":key": key },
    });
  },
  { tableName: process.env.IDEMPOTENCY_TABLE ?? "", onError: "release" },
);
